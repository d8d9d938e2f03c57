/** A field's referenced ids and where they must exist (table and column: constants of the caller). */
export interface Ref {
  field: string;
  table: string;
  column: string;
  ids: readonly (string | number)[];
}

/** For each ref, which of its ids exist (as text), in one batch. */
export async function existingIds(db: D1Database, refs: Ref[]): Promise<Set<string>[]> {
  const results = await db.batch<{ id: string }>(
    refs.map((ref) =>
      db
        // The bare IN finds the rows by key (a CAST alone scans the table); the CAST keeps the
        // match exact ("05" is not 5).
        .prepare(
          `SELECT CAST(${ref.column} AS TEXT) AS id FROM ${ref.table}
           WHERE ${ref.column} IN (SELECT value FROM json_each(?1))
             AND CAST(${ref.column} AS TEXT) IN (SELECT value FROM json_each(?1))`,
        )
        .bind(JSON.stringify(ref.ids.map(String))),
    ),
  );
  return results.map((result) => new Set(result.results.map((row) => row.id)));
}
