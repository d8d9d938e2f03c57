import type { PatchedTokenRequest, Token } from "@rac-edge/core";
import { iso } from "../clock.ts";
import { randomKey, sha256Hex } from "../crypto.ts";
import { counted } from "./counts.ts";
import { planOneRow, type ReadPlan } from "./d1.ts";
import { modelEvent } from "./events.ts";
import { exact, type FilterTable, flag } from "./filters.ts";
import { type Condition, condition, type ListSpec } from "./lists.ts";
import { grantsColumn } from "./permissions.ts";
import { userColumns, userFromPrefixedRow } from "./users.ts";
import { asFlag, asIs, updateRow, type Writable, writeBatch } from "./write.ts";

export interface CallerRow {
  identifier: string;
  user_id: number;
  username: string;
  is_superuser: number;
  outpost_id: string | null;
  /** Unix ms when the key stops working, null when it never does. */
  key_expires: number | null;
}

const callerSql = (columns: string) =>
  `SELECT t.identifier, t.user_id, u.username, u.is_superuser, o.uuid AS outpost_id,
     CASE WHEN t.expiring = 1 THEN t.expires END AS key_expires${columns}
   FROM tokens t JOIN users u ON u.id = t.user_id LEFT JOIN outposts o ON o.token_uuid = t.uuid
   WHERE t.key_hash = ?1 AND t.intent = 'api' AND u.is_active = 1
     AND (t.expiring = 0 OR t.expires IS NULL OR t.expires > ?2)`;

/** The active user behind an unexpired API token, by the key's hash: one query. */
export function findCallerByKeyHash(db: D1Database, keyHash: string, now: number): Promise<CallerRow | null> {
  return db.prepare(callerSql("")).bind(keyHash, now).first<CallerRow>();
}

/** The same, with the user's grants (`grantsColumn`), as a statement: it can lead a batch. */
export const selectCallerWithGrants = (db: D1Database, keyHash: string, now: number): D1PreparedStatement =>
  db.prepare(callerSql(`, ${grantsColumn("u")}`)).bind(keyHash, now);

/** Finds a row only when the key belongs to some API token: the guard of reads made before authentication. */
export const knownKey = (keyHash: string): Condition => condition("SELECT 1 FROM tokens WHERE key_hash = ?", keyHash);

interface TokenRow {
  uuid: string;
  identifier: string;
  user_id: number;
  intent: Token["intent"];
  description: string;
  managed: string | null;
  expires: number | null;
  expiring: number;
  [userColumn: string]: unknown;
}

const USER_PREFIX = "user__";
const FROM = "tokens t JOIN users u ON u.id = t.user_id";
const COLUMNS = `t.uuid, t.identifier, t.user_id, t.intent, t.description, t.managed, t.expires, t.expiring,
  ${userColumns("u", USER_PREFIX)}`;

export const tokenFromRow = (row: TokenRow): Token => ({
  pk: row.uuid,
  managed: row.managed,
  identifier: row.identifier,
  intent: row.intent,
  user: row.user_id,
  user_obj: userFromPrefixedRow(row, USER_PREFIX),
  description: row.description,
  expires: iso(row.expires),
  expiring: row.expiring === 1,
});

export const tokenList: ListSpec = {
  total: counted("tokens"),
  from: FROM,
  select: COLUMNS,
  pk: "t.uuid",
  ordering: {
    pk: "t.uuid",
    identifier: "t.identifier",
    intent: "t.intent",
    user: "t.user_id",
    description: "t.description",
    expires: "t.expires",
    expiring: "t.expiring",
    managed: "t.managed",
  },
  defaultOrdering: [
    { field: "identifier", descending: false },
    { field: "expires", descending: false },
  ],
  search: ["t.identifier", "t.intent", "u.username", "t.description"],
};

const selectWhere = (where: string) => `SELECT ${COLUMNS} FROM ${FROM} WHERE ${where}`;

export const tokenByKey = (db: D1Database, identifier: string): ReadPlan<Token | null> =>
  planOneRow(db.prepare(selectWhere("t.identifier = ?1")).bind(identifier), tokenFromRow);

/** What a caller limited to some tokens sees: their own (which they may always see) and the granted ones. */
export const ownTokensOrGranted = (userId: number, granted: string[]): Condition =>
  condition(
    "t.uuid IN (SELECT uuid FROM tokens WHERE user_id = ? UNION SELECT value FROM json_each(?))",
    userId,
    JSON.stringify(granted),
  );

/** authentik's TokenFilter, by query parameter. */
export const tokenFilters: FilterTable = {
  identifier: exact("t.identifier"),
  intent: exact("t.intent"),
  description: exact("t.description"),
  managed: exact("t.managed"),
  user__username: exact("u.username"),
  expiring: flag((expiring) => condition("t.expiring = ?", expiring ? 1 : 0)),
};

const toMs = (value: unknown) => (value === null ? null : Date.parse(value as string));

/** Request field -> column and stored value; the only names that reach SQL text. */
const WRITABLE: Writable = {
  ...asIs("identifier", "intent", "description"),
  expires: { column: "expires", encode: toMs },
  user: { column: "user_id" },
  expiring: { column: "expiring", encode: asFlag },
};

export interface NewToken {
  identifier: string;
  userId: number;
  intent: Token["intent"];
  description: string;
  /** Unix ms, or null for no expiry date. */
  expires: number | null;
  expiring: boolean;
}

/**
 * A new API token with a fresh random key: only its SHA-256 is kept for authentication; the plain
 * key waits in `key_pending` until `view_key` has shown it once.
 */
export async function insertToken(db: D1Database, token: NewToken): Promise<Token> {
  const key = randomKey();
  const uuid = crypto.randomUUID();
  const keyHash = await sha256Hex(key);
  const expiring = token.expiring ? 1 : 0;
  const [, , selected] = await writeBatch<TokenRow>(db, [
    db
      .prepare(
        `INSERT INTO tokens (uuid, identifier, user_id, intent, description, expires, expiring, key_hash, key_pending)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)`,
      )
      .bind(
        uuid,
        token.identifier,
        token.userId,
        token.intent,
        token.description,
        token.expires,
        expiring,
        keyHash,
        key,
      ),
    modelEvent(db, "model_created", "authentik_core.token", uuid),
    db.prepare(selectWhere("t.identifier = ?1")).bind(token.identifier),
  ]);
  return tokenFromRow(selected!.results[0]!);
}

export async function updateToken(db: D1Database, uuid: string, input: PatchedTokenRequest): Promise<Token> {
  const row = await updateRow<TokenRow>(db, {
    table: "tokens",
    key: ["uuid", uuid],
    writable: WRITABLE,
    input,
    event: modelEvent(db, "model_updated", "authentik_core.token", uuid),
    readBack: db.prepare(selectWhere("t.uuid = ?1")).bind(uuid),
  });
  return tokenFromRow(row);
}

export async function deleteToken(db: D1Database, uuid: string): Promise<void> {
  const remove = db.prepare("DELETE FROM tokens WHERE uuid = ?1").bind(uuid);
  await db.batch([modelEvent(db, "model_deleted", "authentik_core.token", uuid), remove]);
}

/**
 * The plain key if it has not been shown yet, clearing it in the same atomic batch so that two
 * concurrent requests cannot both see it; null once shown (only the hash remains).
 */
export async function takePendingKey(db: D1Database, uuid: string): Promise<string | null> {
  const [selected] = await db.batch<{ key_pending: string | null }>([
    db.prepare("SELECT key_pending FROM tokens WHERE uuid = ?1").bind(uuid),
    db.prepare("UPDATE tokens SET key_pending = NULL WHERE uuid = ?1").bind(uuid),
  ]);
  return selected!.results[0]?.key_pending ?? null;
}

/** The plain key if it has not been shown yet, left pending (HEAD on view_key). */
export async function peekPendingKey(db: D1Database, uuid: string): Promise<string | null> {
  const statement = db.prepare("SELECT key_pending FROM tokens WHERE uuid = ?1").bind(uuid);
  return (await statement.first<string | null>("key_pending")) ?? null;
}
