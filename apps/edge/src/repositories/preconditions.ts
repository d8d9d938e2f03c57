/**
 * Conditional writes on D1, which has no interactive transactions: the write's batch starts with a
 * guard that aborts the whole batch when the row's `version` (migration 0010's triggers bump it on
 * every change) is no longer the one read when the client's If-Match was compared.
 */

/** A stored object's row: its table and key column (constants of the caller, never request text). */
export interface VersionedRow {
  table: string;
  column: string;
}

const MESSAGE = "rac-edge: precondition failed";

export const isPreconditionFailure = (error: unknown): boolean =>
  String((error as Error)?.message ?? error).includes(MESSAGE);

/** The row's version (rows: `version`; none when it is gone), to read in the same batch as its representation. */
export const versionOf = (db: D1Database, row: VersionedRow, key: string | number): D1PreparedStatement =>
  db.prepare(`SELECT version FROM ${row.table} WHERE ${row.column} = ?1`).bind(key);

/** Aborts its batch unless the row still has `version` (a deleted row has none: aborts too). */
export const versionGuard = (db: D1Database, row: VersionedRow, key: string | number, version: number): D1PreparedStatement =>
  db
    .prepare(`INSERT INTO preconditions (expected, actual) SELECT ?1, (SELECT version FROM ${row.table} WHERE ${row.column} = ?2)`)
    .bind(version, key);

const INNER = Symbol("unguarded statement");

/** A statement run alone becomes the batch `[guard, statement]`, answering the statement's result. */
class GuardedStatement {
  readonly [INNER]: D1PreparedStatement;
  readonly #db: D1Database;
  readonly #guard: D1PreparedStatement;

  constructor(db: D1Database, guard: D1PreparedStatement, inner: D1PreparedStatement) {
    this.#db = db;
    this.#guard = guard;
    this[INNER] = inner;
  }

  bind(...values: unknown[]): D1PreparedStatement {
    return new GuardedStatement(this.#db, this.#guard, this[INNER].bind(...values)) as unknown as D1PreparedStatement;
  }

  async all<T = Record<string, unknown>>(): Promise<D1Result<T>> {
    const results = await this.#db.batch<T>([this.#guard, this[INNER]]);
    return results[1]!;
  }

  run<T = Record<string, unknown>>(): Promise<D1Result<T>> {
    return this.all<T>();
  }

  async first<T = unknown>(column?: string): Promise<T | null> {
    const row = (await this.all<Record<string, unknown>>()).results[0];
    if (row === undefined) return null;
    return (column === undefined ? row : row[column]) as T;
  }

  async raw<T = unknown[]>(): Promise<T[]> {
    return (await this.all<Record<string, unknown>>()).results.map((row) => Object.values(row)) as T[];
  }
}

const unwrap = (statement: D1PreparedStatement): D1PreparedStatement =>
  (statement as unknown as Partial<GuardedStatement>)[INNER] ?? statement;

/**
 * `db` with `guard` first in every batch and every statement run through it: repositories write as
 * usual, and a guard that fails rolls their batch back whole.
 */
export function guarded(db: D1Database, guard: D1PreparedStatement): D1Database {
  const wrapped = {
    prepare: (sql: string) => new GuardedStatement(db, guard, db.prepare(sql)) as unknown as D1PreparedStatement,
    async batch<T = unknown>(statements: D1PreparedStatement[]): Promise<D1Result<T>[]> {
      const results = await db.batch<T>([guard, ...statements.map(unwrap)]);
      return results.slice(1);
    },
    exec: (query: string) => db.exec(query),
    withSession: (constraint?: string) => db.withSession(constraint as never),
    dump: () => db.dump(),
  };
  return wrapped as unknown as D1Database;
}
