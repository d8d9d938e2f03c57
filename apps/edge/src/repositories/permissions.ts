/** Grants by codename: object_pk '' is global. */
export async function loadGrants(db: D1Database, userId: number): Promise<Map<string, Set<string>>> {
  const { results } = await db
    .prepare("SELECT codename, object_pk FROM permissions WHERE user_id = ?1")
    .bind(userId)
    .all<{ codename: string; object_pk: string }>();
  const grants = new Map<string, Set<string>>();
  for (const row of results) {
    const set = grants.get(row.codename) ?? new Set<string>();
    set.add(row.object_pk);
    grants.set(row.codename, set);
  }
  return grants;
}

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
