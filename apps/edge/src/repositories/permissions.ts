import { type ModelName, normalizeUuid } from "@rac-edge/core";
import { isForeignKeyViolation } from "./d1.ts";
import { EVENT_APPS, eventStatement } from "./events.ts";
import { MODEL_TABLES } from "./models.ts";
import { outcome } from "./outcomes.ts";
import { revokeUnlaunchable } from "./revocations.ts";

/** Grants by codename: object_pk '' is global. */
export type Grants = Map<string, Set<string>>;

function grantsOf(pairs: Iterable<readonly [string, string]>): Grants {
  const grants: Grants = new Map();
  for (const [perm, objectPk] of pairs) {
    const set = grants.get(perm) ?? new Set<string>();
    set.add(objectPk);
    grants.set(perm, set);
  }
  return grants;
}

export async function loadGrants(db: D1Database, userId: number): Promise<Grants> {
  const { results } = await db
    .prepare("SELECT codename, object_pk FROM permissions WHERE user_id = ?1")
    .bind(userId)
    .all<{ codename: string; object_pk: string }>();
  return grantsOf(results.map((row) => [row.codename, row.object_pk] as const));
}

/**
 * What an outpost's own API token may see as authentik grants it: the outpost itself and the
 * providers it serves (view only), as object grants to merge into the caller's.
 */
export async function outpostGrants(db: D1Database, outpostId: string): Promise<[string, string][]> {
  const { results } = await db
    .prepare(
      `SELECT 'authentik_outposts.view_outpost' AS codename, ?1 AS object_pk
       UNION ALL SELECT 'authentik_providers_rac.view_racprovider', CAST(provider_id AS TEXT)
         FROM outpost_providers WHERE outpost_id = ?1`,
    )
    .bind(outpostId)
    .all<{ codename: string; object_pk: string }>();
  return results.map((row) => [row.codename, row.object_pk]);
}

/** `grants` with `extra` object grants added. */
export function withGrants(grants: Grants, extra: readonly (readonly [string, string])[]): Grants {
  const merged: Grants = new Map([...grants].map(([perm, pks]) => [perm, new Set(pks)]));
  for (const [perm, pk] of extra) merged.set(perm, (merged.get(perm) ?? new Set<string>()).add(pk));
  return merged;
}

/**
 * A user's grants as a JSON column `grants` (`[[codename, object_pk], ...]`), for `users` joined
 * as `alias`; NULL for superusers, who need none. Lets the authentication query bring them along.
 */
export const grantsColumn = (alias: string) =>
  `CASE WHEN ${alias}.is_superuser = 1 THEN NULL
    ELSE (SELECT json_group_array(json_array(g.codename, g.object_pk)) FROM permissions g WHERE g.user_id = ${alias}.id)
  END AS grants`;

/** The grants read by `grantsColumn`; null for a superuser's NULL. */
export const grantsFromColumn = (json: string | null): Grants | null =>
  json === null ? null : grantsOf(JSON.parse(json) as [string, string][]);

export interface Grant {
  codename: string;
  objectPk: string;
}

/** Whether the user exists. */
export async function userExists(db: D1Database, userId: number): Promise<boolean> {
  return (await db.prepare("SELECT id FROM users WHERE id = ?1").bind(userId).first()) !== null;
}

/**
 * The object an object grant names, as stored (uuids in their canonical spelling), or null when no
 * such object exists. Integer keys compare as text: "05" is not 5.
 */
export async function grantObject(db: D1Database, model: ModelName, objectPk: string): Promise<string | null> {
  const target = MODEL_TABLES[model];
  const key = target.integer ? objectPk : (normalizeUuid(objectPk) ?? objectPk);
  const found = await db
    .prepare(`SELECT 1 AS found FROM ${target.table} WHERE CAST(${target.pk} AS TEXT) = ?1`)
    .bind(key)
    .first();
  return found === null ? null : key;
}

/** Runs a grant change's statements; the user deleted meanwhile is the notFound outcome. */
async function changeGrants(db: D1Database, statements: D1PreparedStatement[]): Promise<D1Result[]> {
  if (statements.length === 0) return [];
  try {
    return await db.batch(statements);
  } catch (error) {
    throw isForeignKeyViolation(error) ? outcome({ kind: "notFound" }) : error;
  }
}

/** Gives the user the grants (held ones stay); answers each grant's id (authentik's `PermissionAssignResult`). */
export async function assignGrants(db: D1Database, userId: number, grants: Grant[]): Promise<{ id: string }[]> {
  return assignedIds(await changeGrants(db, assignStatements(db, userId, grants)));
}

/**
 * Takes the grants from the user. Without view on an endpoint, their connection tokens there go in
 * the same batch (`revokeLaunches`: the launch grant is among them).
 */
export async function unassignGrants(db: D1Database, userId: number, grants: Grant[]): Promise<void> {
  const statements = unassignStatements(db, userId, grants);
  if (grants.some((grant) => grant.codename === LAUNCH_GRANT)) statements.push(revokeUnlaunchable(db, userId));
  await changeGrants(db, statements);
}

/** The grant a launch needs (on the endpoint, or global). */
const LAUNCH_GRANT = "authentik_providers_rac.view_endpoint";

/**
 * Inserts each grant (a grant already held stays as it is) and answers its row's id as text,
 * authentik's `PermissionAssignResult`: the no-op update on conflict makes RETURNING see held rows.
 */
function assignStatements(db: D1Database, userId: number, grants: Grant[]): D1PreparedStatement[] {
  // Events first: each is written only for a grant the user does not hold yet.
  const events = grants.map((grant) => permissionEvent(db, "permission_assigned", userId, grant, "NOT EXISTS"));
  const inserts = grants.map((grant) =>
    db
      .prepare(
        `INSERT INTO permissions (user_id, codename, object_pk) VALUES (?1, ?2, ?3)
         ON CONFLICT (user_id, codename, object_pk) DO UPDATE SET codename = excluded.codename
         RETURNING CAST(rowid AS TEXT) AS id`,
      )
      .bind(userId, grant.codename, grant.objectPk),
  );
  return [...events, ...inserts];
}

/** The ids answered by a batch of assignStatements: the inserts' rows (the events return none). */
const assignedIds = (results: D1Result[]): { id: string }[] =>
  results.filter((result) => result.results.length > 0).map((result) => result.results[0] as { id: string });

function unassignStatements(db: D1Database, userId: number, grants: Grant[]): D1PreparedStatement[] {
  const remove = "DELETE FROM permissions WHERE user_id = ?1 AND codename = ?2 AND object_pk = ?3";
  return grants.flatMap((grant) => [
    // Before the DELETE, and only for a grant the user holds.
    permissionEvent(db, "permission_unassigned", userId, grant, "EXISTS"),
    db.prepare(remove).bind(userId, grant.codename, grant.objectPk),
  ]);
}

/** `permission_assigned` or `permission_unassigned` of one grant, with the user it is given to or taken from. */
function permissionEvent(
  db: D1Database,
  action: "permission_assigned" | "permission_unassigned",
  userId: number,
  grant: Grant,
  held: "EXISTS" | "NOT EXISTS",
): D1PreparedStatement {
  const grantRow = "SELECT 1 FROM permissions WHERE user_id = ? AND codename = ? AND object_pk = ?";
  const target = "json_object('pk', u.id, 'username', u.username, 'email', u.email)";
  const grantParams = [userId, grant.codename, grant.objectPk];
  return eventStatement(db, {
    action,
    app: EVENT_APPS.rbac,
    context: { permission: grant.codename, object_pk: grant.objectPk === "" ? null : grant.objectPk },
    contextSql: { sql: `json_set(?, '$.target_user', ${target})`, params: [] },
    source: { sql: `users u WHERE u.id = ? AND ${held} (${grantRow})`, params: [userId, ...grantParams] },
  });
}

/** Whether a user may launch an endpoint: a superuser, or view on it (global or its own). */
export async function mayLaunch(db: D1Database, userId: number, endpoint: string): Promise<boolean> {
  const row = await db
    .prepare(
      `SELECT 1 AS ok FROM users u WHERE u.id = ?1 AND (u.is_superuser = 1 OR EXISTS (SELECT 1 FROM permissions g
         WHERE g.user_id = u.id AND g.codename = 'authentik_providers_rac.view_endpoint' AND g.object_pk IN ('', ?2)))`,
    )
    .bind(userId, endpoint)
    .first();
  return row !== null;
}

/** Whether the user exists and is a superuser. */
export async function isSuperuser(db: D1Database, userId: number): Promise<boolean> {
  const row = await db
    .prepare("SELECT is_superuser FROM users WHERE id = ?1")
    .bind(userId)
    .first<{ is_superuser: number }>();
  return row?.is_superuser === 1;
}
