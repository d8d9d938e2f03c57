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
 * A user's grants as a JSON column `grants` (`[[codename, object_pk], ...]`), for `users` joined
 * as `alias`; NULL for superusers, who need none. Lets the authentication query bring them along.
 */
export const grantsColumn = (alias: string) =>
  `CASE WHEN ${alias}.is_superuser = 1 THEN NULL ELSE (SELECT json_group_array(json_array(g.codename, g.object_pk)) FROM permissions g WHERE g.user_id = ${alias}.id) END AS grants`;

/** The grants read by `grantsColumn`; null for a superuser's NULL. */
export const grantsFromColumn = (json: string | null): Grants | null => (json === null ? null : grantsOf(JSON.parse(json) as [string, string][]));

export interface Grant {
  codename: string;
  objectPk: string;
}

export function assignStatements(db: D1Database, userId: number, grants: Grant[]): D1PreparedStatement[] {
  return grants.map((grant) =>
    db
      .prepare("INSERT INTO permissions (user_id, codename, object_pk) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING")
      .bind(userId, grant.codename, grant.objectPk),
  );
}

export function unassignStatements(db: D1Database, userId: number, grants: Grant[]): D1PreparedStatement[] {
  return grants.map((grant) =>
    db.prepare("DELETE FROM permissions WHERE user_id = ?1 AND codename = ?2 AND object_pk = ?3").bind(userId, grant.codename, grant.objectPk),
  );
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
