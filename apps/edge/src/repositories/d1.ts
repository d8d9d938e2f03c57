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
 * Reads planned before they run: the statements of one batch and how to read its results. A plan can
 * then share its round trip with other reads (the router runs a handler's plan with the authentication).
 */
export interface Reads<T> {
  statements: D1PreparedStatement[];
  read(results: D1Result[]): T;
}

/** A plan that reads nothing and fails when read: an error found while planning, answered after authentication. */
export const failed = (error: unknown): Reads<never> => ({
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

/** Runs a plan on its own (D1 refuses an empty batch). */
export async function runReads<T>(db: D1Database, reads: Reads<T>): Promise<Awaited<T>> {
  return await reads.read(reads.statements.length > 0 ? await db.batch(reads.statements) : []);
}

/** At most one row, as planned reads; a null statement (a malformed key, say) reads nothing and finds nothing. */
export function oneRow<Row, T>(statement: D1PreparedStatement | null, fromRow: (row: Row) => T): Reads<T | null> {
  if (statement === null) return { statements: [], read: () => null };
  return {
    statements: [statement],
    read: ([result]) => {
      const row = result!.results[0] as Row | undefined;
      return row === undefined ? null : fromRow(row);
    },
  };
}
