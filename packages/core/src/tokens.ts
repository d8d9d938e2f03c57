import * as v from "valibot";
import { boolean, choice, intRef, optionalText, text } from "./fields.ts";
import { UserSchema } from "./users.ts";

/** Only API tokens exist here; the other intents belong to authentik's flows. */
export const TOKEN_INTENTS = ["api"] as const;

export const TokenSchema = v.object({
  pk: v.string(),
  managed: v.nullable(v.string()),
  identifier: v.string(),
  intent: v.picklist(TOKEN_INTENTS),
  user: v.number(),
  user_obj: UserSchema,
  description: v.string(),
  expires: v.nullable(v.string()),
  expiring: v.boolean(),
});
export type Token = v.InferOutput<typeof TokenSchema>;

const DATE_FORMAT =
  "Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].";

/** An ISO 8601 date-time that exists on the calendar (JS alone would roll 02-31 over to March). */
function isDateTime(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})T\d{2}:\d{2}/.exec(value);
  if (match === null || Number.isNaN(Date.parse(value))) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return new Date(Date.UTC(year, month - 1, day)).getUTCDate() === day;
}

const isoDate = () =>
  v.pipe(
    v.string(DATE_FORMAT),
    v.check(isDateTime, DATE_FORMAT),
    v.transform((value) => new Date(value).toISOString()),
  );

export const TokenRequestSchema = v.object({
  identifier: v.pipe(
    text(),
    v.regex(/^[-a-zA-Z0-9_]+$/, "Enter a valid “slug” consisting of letters, numbers, underscores or hyphens."),
  ),
  intent: v.optional(choice(TOKEN_INTENTS)),
  user: v.optional(intRef()),
  description: v.optional(optionalText()),
  expires: v.optional(v.nullable(isoDate())),
  expiring: v.optional(boolean()),
});
export type TokenRequest = v.InferOutput<typeof TokenRequestSchema>;
export const PatchedTokenRequestSchema = v.partial(TokenRequestSchema);
export type PatchedTokenRequest = v.InferOutput<typeof PatchedTokenRequestSchema>;

/** authentik's default lifetime of a token created without `expires` (`default_token_duration`). */
export const DEFAULT_TOKEN_LIFETIME_MS = 30 * 60 * 1000;

/** What a new token gets for the fields the request leaves out (inserts use these, not the SQL DEFAULTs). */
export const TOKEN_DEFAULTS = { intent: "api", description: "", expiring: true } as const;

/**
 * The expiry (Unix ms) of a token created without `expires`: authentik's default lifetime, cut to the
 * expiry of the request's key (`keyExpires`, null for a key that never expires) when that comes sooner.
 */
export const defaultTokenExpiry = (now: number, keyExpires: number | null): number =>
  Math.min(now + DEFAULT_TOKEN_LIFETIME_MS, keyExpires ?? Number.POSITIVE_INFINITY);

/** Who writes a token's expiry: their user id, superuser status and the expiry of their key (Unix ms or null). */
export interface TokenWriter {
  userId: number;
  superuser: boolean;
  keyExpires: number | null;
}

/** A token's expiry fields as stored: `expires` in Unix ms (null: no date). */
export interface TokenLifetime {
  user: number;
  expiring: boolean;
  expires: number | null;
}

/** What is wrong with a write of a token's expiry fields; `forbidden` is a 403, `fields` a 400. */
export type LifetimeProblem =
  | { kind: "forbidden"; detail: string }
  | { kind: "fields"; fields: { expiring?: string[]; expires?: string[] } };

const EXPIRED_RENEWAL = "This token has expired: only a superuser or another user with change_token may renew it.";

/**
 * A key may not set a token that outlives it (outlivesKey: under `expiring` or `expires`), and an
 * expired token's owner may not switch it back on: that takes a superuser or another user holding
 * change_token. `input.expires` undefined keeps the current value (on create: the default expiry).
 */
export function tokenLifetimeProblem(
  writer: TokenWriter,
  input: { expiring?: boolean | undefined; expires?: number | null | undefined },
  current: TokenLifetime | null,
  now: number,
): LifetimeProblem | null {
  const expiring = input.expiring ?? current?.expiring ?? true;
  const fallback = current === null ? defaultTokenExpiry(now, writer.keyExpires) : current.expires;
  const after = { expiring, expires: input.expires !== undefined ? input.expires : fallback };
  if (current !== null && after.expiring === current.expiring && after.expires === current.expires) return null;
  const expired = current?.expiring === true && current.expires !== null && current.expires <= now;
  if (expired && current!.user === writer.userId && !writer.superuser)
    return { kind: "forbidden", detail: EXPIRED_RENEWAL };
  if (!outlivesKey(after, writer.keyExpires)) return null;
  const limit = new Date(writer.keyExpires!).toISOString();
  return after.expiring
    ? {
        kind: "fields",
        fields: { expires: [`The key of this request expires at ${limit}: a token it sets must not expire later.`] },
      }
    : {
        kind: "fields",
        fields: { expiring: [`The key of this request expires (${limit}): tokens it sets must expire too.`] },
      };
}

export const TokenViewSchema = v.object({ key: v.string() });
export type TokenView = v.InferOutput<typeof TokenViewSchema>;

/** The identifier of the bootstrap superuser's API token (authentik's). */
export const BOOTSTRAP_TOKEN_IDENTIFIER = "authentik-bootstrap-token";

/**
 * Why an API client may not give a token this identifier, or null: outposts' managed tokens
 * (`ak-outpost-…`) are created by rac-edge alone. (The bootstrap token's identifier is taken
 * whenever BOOTSTRAP_TOKEN is set, and re-assigned to akadmin when it is set later.)
 */
export function reservedTokenIdentifier(identifier: string): string | null {
  const reserved = identifier.toLowerCase().startsWith("ak-outpost-");
  return reserved ? "Identifiers starting with ak-outpost- are reserved for outposts' tokens." : null;
}

/** The shortest BOOTSTRAP_TOKEN accepted: the bootstrap key is a superuser's, so it must be hard to guess. */
export const BOOTSTRAP_TOKEN_MIN_LENGTH = 32;

/** What is wrong with a configured BOOTSTRAP_TOKEN, or null when it may be used. */
export function bootstrapTokenProblem(key: string): string | null {
  if (key.trim() !== key) return "BOOTSTRAP_TOKEN has leading or trailing whitespace";
  const short = key.length < BOOTSTRAP_TOKEN_MIN_LENGTH;
  return short ? `BOOTSTRAP_TOKEN is shorter than ${BOOTSTRAP_TOKEN_MIN_LENGTH} characters` : null;
}

/**
 * Whether a token would outlive the key of the request that sets its expiry: a key with an expiry
 * (`keyExpires`, Unix ms; null for a key that never expires) may only set expiring tokens that
 * expire no later than itself. `expires` null on an expiring token means no expiry.
 */
export function outlivesKey(token: { expiring: boolean; expires: number | null }, keyExpires: number | null): boolean {
  if (keyExpires === null) return false;
  return !token.expiring || token.expires === null || token.expires > keyExpires;
}
