/** Helpers shared by the repositories: JSON columns and constraint failures. */

export const parseJson = <T = unknown>(text: string | null): T => (text === null ? null : JSON.parse(text)) as T;

/** The `table.column` of a UNIQUE violation, or null. */
export function uniqueViolation(error: unknown): string | null {
  const match = /UNIQUE constraint failed: ([\w.]+)/.exec(String((error as Error)?.message ?? error));
  return match ? match[1]! : null;
}

export const isForeignKeyViolation = (error: unknown): boolean =>
  /FOREIGN KEY constraint failed/.test(String((error as Error)?.message ?? error));

/**
 * A read planned before it runs: the statements to send and how to turn their results into a value.
 * Planning first lets reads share one D1 batch, so one round trip: the router sends a handler's plan
 * along with the caller's authentication (`prefetching` in src/http/router.ts), `runPlan` sends it alone.
 */
export interface ReadPlan<T> {
  statements: D1PreparedStatement[];
  read(results: D1Result[]): T;
}

/** A plan that sends nothing and throws `error` when read: a problem found while planning, answered later. */
export const failedPlan = (error: unknown): ReadPlan<never> => ({
  statements: [],
  read: () => {
    throw error;
  },
});

/**
 * `first` with other statements in one batch (one round trip): its result and theirs. Without others
 * (undefined), `first` runs alone.
 */
export async function runAlong(
  db: D1Database,
  first: D1PreparedStatement,
  others?: D1PreparedStatement[],
): Promise<[D1Result, D1Result[]]> {
  if (others === undefined) return [await first.all(), []];
  const [result, ...rest] = await db.batch([first, ...others]);
  return [result!, rest];
}

/** Sends a plan's statements as a batch of their own (none: no call, D1 refuses an empty batch) and reads them. */
export async function runPlan<T>(db: D1Database, reads: ReadPlan<T>): Promise<Awaited<T>> {
  return await reads.read(reads.statements.length > 0 ? await db.batch(reads.statements) : []);
}

/** A plan reading at most one row through `fromRow`; a null statement (a malformed key, say) finds nothing. */
export function planOneRow<Row, T>(
  statement: D1PreparedStatement | null,
  fromRow: (row: Row) => T,
): ReadPlan<T | null> {
  if (statement === null) return { statements: [], read: () => null };
  return {
    statements: [statement],
    read: ([result]) => {
      const row = result!.results[0] as Row | undefined;
      return row === undefined ? null : fromRow(row);
    },
  };
}

/**
 * One bounded step of a sweep: deletes at most `limit` rows of `table` whose `expires` has passed, oldest
 * first through its `expires` index; answers how many it removed. `table` and `key` are code constants.
 */
export async function deleteExpiredRows(
  db: D1Database,
  table: "connection_tokens" | "events",
  key: "uuid" | "event_uuid",
  now: number,
  limit: number,
): Promise<number> {
  const { results } = await db
    .prepare(
      `DELETE FROM ${table} WHERE ${key} IN
         (SELECT ${key} FROM ${table} WHERE expires <= ?1 ORDER BY expires LIMIT ?2) RETURNING 1 AS removed`,
    )
    .bind(now, limit)
    .all();
  return results.length;
}
