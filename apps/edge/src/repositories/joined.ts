/**
 * A D1 binding whose batches carry extra statements around the caller's: D1 has no interactive
 * transactions, so what must commit or fail together with a repository's write (a precondition
 * guard, an idempotency record) rides in that write's own batch, without the repository knowing.
 */

export interface Joined {
  /** Run first in every batch (and every statement run alone): guards. */
  before?: D1PreparedStatement[];
  /** Run last in the first batch (or statement) only: records of the one write a request makes. */
  afterFirst?: D1PreparedStatement[];
}

const INNER = Symbol("joined statement");

/** A statement run alone becomes a batch with the extra statements, answering its own result. */
class JoinedStatement {
  readonly [INNER]: D1PreparedStatement;
  readonly #db: D1Database;

  constructor(db: D1Database, inner: D1PreparedStatement) {
    this.#db = db;
    this[INNER] = inner;
  }

  bind(...values: unknown[]): D1PreparedStatement {
    return new JoinedStatement(this.#db, this[INNER].bind(...values)) as unknown as D1PreparedStatement;
  }

  async all<T = Record<string, unknown>>(): Promise<D1Result<T>> {
    return (await this.#db.batch<T>([this[INNER]]))[0]!;
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
  (statement as unknown as Partial<JoinedStatement>)[INNER] ?? statement;

export function joined(db: D1Database, extra: Joined): D1Database {
  const before = extra.before ?? [];
  let after = extra.afterFirst ?? [];
  const wrapped = {
    prepare: (sql: string) =>
      new JoinedStatement(wrapped as unknown as D1Database, db.prepare(sql)) as unknown as D1PreparedStatement,
    async batch<T = unknown>(statements: D1PreparedStatement[]): Promise<D1Result<T>[]> {
      const tail = after;
      after = [];
      const results = await db.batch<T>([...before, ...statements.map(unwrap), ...tail]);
      return results.slice(before.length, before.length + statements.length);
    },
    exec: (query: string) => db.exec(query),
    withSession: (constraint?: string) => db.withSession(constraint as never),
    dump: () => db.dump(),
  };
  return wrapped as unknown as D1Database;
}
