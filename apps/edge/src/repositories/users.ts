import {
  DEFAULT_AVATAR,
  type GroupMember,
  isIntegerKey,
  isUserType,
  normalizeUuid,
  type PatchedUserRequest,
  USER_DEFAULTS,
  type User,
  type UserRequest,
} from "@rac-edge/core";
import { iso } from "../clock.ts";
import { sha256Hex } from "../crypto.ts";
import { revokeUserSessions } from "./browserSessions.ts";
import { counted } from "./counts.ts";
import { parseJson, planOneRow, type ReadPlan } from "./d1.ts";
import { lastInserted, modelEvent } from "./events.ts";
import { exact, type FilterTable, flag } from "./filters.ts";
import { condition, type ListSpec } from "./lists.ts";
import { outcome } from "./outcomes.ts";
import { revokeUnlaunchable, revokeUserTokens } from "./revocations.ts";
import { asFlag, asIs, asJson, updateRow, type Writable, writeBatch } from "./write.ts";

export interface UserRow {
  id: number;
  uuid: string;
  uid: string;
  username: string;
  name: string;
  email: string;
  is_active: number;
  is_superuser: number;
  last_login: number | null;
  attributes: string;
  path: string;
  type: User["type"];
}

export const USER_COLUMNS =
  "id, uuid, uid, username, name, email, is_active, is_superuser, last_login, attributes, path, type";

/** A new user's uuid and its derived `uid` (authentik's hashed, stable user id). */
export async function newUserValues(): Promise<{ uuid: string; uid: string }> {
  const uuid = crypto.randomUUID();
  return { uuid, uid: await sha256Hex(`rac-edge-user-${uuid}`) };
}

export const groupMemberFromRow = (row: UserRow): GroupMember => ({
  pk: row.id,
  username: row.username,
  name: row.name,
  is_active: row.is_active === 1,
  last_login: iso(row.last_login),
  email: row.email,
  attributes: parseJson(row.attributes),
  uid: row.uid,
});

export const userFromRow = (row: UserRow): User => ({
  ...groupMemberFromRow(row),
  is_superuser: row.is_superuser === 1,
  groups: [],
  groups_obj: [],
  avatar: DEFAULT_AVATAR,
  path: row.path,
  type: row.type,
  uuid: row.uuid,
});

const USER_FIELDS = USER_COLUMNS.split(", ");

/** A user's columns from table alias `alias`, renamed `<prefix><column>` (tokens nest `user_obj`). */
export const userColumns = (alias: string, prefix = "") =>
  USER_FIELDS.map((column) => `${alias}.${column} AS ${prefix}${column}`).join(", ");

const MEMBER_FIELDS = ["id", "username", "name", "is_active", "last_login", "email", "attributes", "uid"] as const;

/** Just the columns groupMemberFromRow reads, renamed `<prefix><column>` (connection tokens nest `user` so). */
export const memberColumns = (alias: string, prefix: string) =>
  MEMBER_FIELDS.map((column) => `${alias}.${column} AS ${prefix}${column}`).join(", ");

/** The member in a row selected with `memberColumns(alias, prefix)`. */
export function memberFromPrefixedRow(row: Record<string, unknown>, prefix: string): GroupMember {
  const member: Record<string, unknown> = {};
  for (const column of MEMBER_FIELDS) member[column] = row[prefix + column];
  return groupMemberFromRow(member as unknown as UserRow);
}

/** The user in a row selected with `userColumns(alias, prefix)`. */
export const userFromPrefixedRow = (row: Record<string, unknown>, prefix: string): User =>
  userFromRow(Object.fromEntries(USER_FIELDS.map((column) => [column, row[prefix + column]])) as unknown as UserRow);

export const userList: ListSpec = {
  total: counted("users"),
  from: "users u",
  select: userColumns("u"),
  pk: "u.id",
  ordering: {
    pk: "u.id",
    username: "u.username",
    name: "u.name",
    email: "u.email",
    is_active: "u.is_active",
    last_login: "u.last_login",
  },
  defaultOrdering: [{ field: "username", descending: false }],
  search: ["u.username", "u.name", "u.email"],
};

/** Exact filters of authentik's UsersFilter that rac-edge has columns for. */
export const userFilters: FilterTable = {
  username: exact("u.username"),
  name: exact("u.name"),
  email: exact("u.email"),
  path: exact("u.path"),
  is_active: flag((value) => condition("u.is_active = ?", value ? 1 : 0)),
  is_superuser: flag((value) => condition("u.is_superuser = ?", value ? 1 : 0)),
  uuid(values) {
    const uuid = normalizeUuid(values[0]!);
    if (uuid === null) throw outcome({ kind: "malformedUuid", parameter: "uuid" });
    return { where: condition("u.uuid = ?", uuid) };
  },
  type(types) {
    const unknown = types.find((type) => !isUserType(type));
    if (unknown !== undefined) throw outcome({ kind: "unknownChoice", parameter: "type", value: unknown });
    return { where: condition("u.type IN (SELECT value FROM json_each(?))", JSON.stringify(types)) };
  },
};

export const userByKey = (db: D1Database, key: string): ReadPlan<User | null> =>
  planOneRow(
    isIntegerKey(key) ? db.prepare(`SELECT ${USER_COLUMNS} FROM users WHERE id = ?1`).bind(Number(key)) : null,
    userFromRow,
  );

const WRITABLE: Writable = {
  ...asIs("username", "name", "email", "path", "type"),
  is_active: { column: "is_active", encode: asFlag },
  is_superuser: { column: "is_superuser", encode: asFlag },
  attributes: { column: "attributes", encode: asJson },
};

export async function insertUser(db: D1Database, input: UserRequest): Promise<User> {
  const { uuid, uid } = await newUserValues();
  const [inserted] = await writeBatch<UserRow>(db, [
    db
      .prepare(
        `INSERT INTO users (uuid, uid, username, name, email, is_active, is_superuser, attributes, path, type)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) RETURNING ${USER_COLUMNS}`,
      )
      .bind(
        uuid,
        uid,
        input.username,
        input.name,
        input.email ?? USER_DEFAULTS.email,
        input.is_active === false ? 0 : 1,
        input.is_superuser ? 1 : 0,
        JSON.stringify(input.attributes ?? {}),
        input.path ?? USER_DEFAULTS.path,
        input.type ?? USER_DEFAULTS.type,
      ),
    modelEvent(db, "model_created", "authentik_core.user", 0, lastInserted()),
  ]);
  return userFromRow(inserted!.results[0]!);
}

export async function updateUser(db: D1Database, id: number, input: PatchedUserRequest): Promise<User> {
  // Access ends with the change, in the same batch: live connection tokens go at once.
  const also: D1PreparedStatement[] = [];
  if (input.is_active === false) also.push(revokeUserTokens(db, id), revokeUserSessions(db, id));
  else if (input.is_superuser === false) also.push(revokeUnlaunchable(db, id));
  const row = await updateRow<UserRow>(db, {
    table: "users",
    key: ["id", id],
    writable: WRITABLE,
    input,
    also,
    event: modelEvent(db, "model_updated", "authentik_core.user", id),
    readBack: db.prepare(`SELECT ${USER_COLUMNS} FROM users WHERE id = ?1`).bind(id),
  });
  return userFromRow(row);
}

/**
 * Foreign keys cascade to the user's API tokens, connection tokens and grants: their keys stop
 * working at once. An outpost's service account is kept while its outpost exists: false then.
 */
export async function deleteUser(db: D1Database, id: number): Promise<boolean> {
  const kept = "EXISTS (SELECT 1 FROM outposts o JOIN tokens ot ON ot.uuid = o.token_uuid WHERE ot.user_id = ?)";
  // The event reads the row before it goes, under the same condition as the DELETE.
  const [, deleted] = await db.batch([
    modelEvent(db, "model_deleted", "authentik_core.user", id, { sql: `t.id = ? AND NOT ${kept}`, params: [id, id] }),
    db.prepare(`DELETE FROM users WHERE id = ?1 AND NOT ${kept.replace("?", "?1")} RETURNING id`).bind(id),
  ]);
  return deleted!.results.length > 0;
}
