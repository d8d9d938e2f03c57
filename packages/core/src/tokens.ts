import * as v from "valibot";
import { boolean, choice, intRef, text } from "./fields.ts";
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

const isoDate = () =>
  v.pipe(
    v.string("Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."),
    v.check(
      (value) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value) && !Number.isNaN(Date.parse(value)),
      "Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].",
    ),
    v.transform((value) => new Date(value).toISOString()),
  );

export const TokenRequestSchema = v.object({
  identifier: v.pipe(text(), v.regex(/^[-a-zA-Z0-9_]+$/, "Enter a valid “slug” consisting of letters, numbers, underscores or hyphens.")),
  intent: v.optional(choice(TOKEN_INTENTS)),
  user: v.optional(intRef()),
  description: v.optional(v.pipe(v.nonNullable(v.string("Not a valid string."), "This field may not be null."))),
  expires: v.optional(v.nullable(isoDate())),
  expiring: v.optional(boolean()),
});
export type TokenRequest = v.InferOutput<typeof TokenRequestSchema>;
export const PatchedTokenRequestSchema = v.partial(TokenRequestSchema);

export const TokenViewSchema = v.object({ key: v.string() });
