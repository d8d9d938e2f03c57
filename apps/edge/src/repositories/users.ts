import type { GroupMember, User } from "@rac-edge/core";
import { iso } from "../clock.ts";
import { sha256Hex } from "../crypto.ts";
import { parseJson } from "./d1.ts";

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

export const USER_COLUMNS = "id, uuid, uid, username, name, email, is_active, is_superuser, last_login, attributes, path, type";

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
  path: row.path,
  type: row.type,
  uuid: row.uuid,
});
