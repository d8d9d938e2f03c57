/**
 * The one place D1 is reached from: a binding wrapped per request (or cron run) that sums D1's own
 * `meta` of every result, so a request can report what it cost (`Server-Timing`) and tests can pin it.
 */

/** What D1 reported for the statements and batches run through one metered binding. */
export interface D1Cost {
  rowsRead: number;
  rowsWritten: number;
  /** Round trips: a batch is one, and so is each statement run alone. */
  batches: number;
  /** D1's own SQL duration (`meta.duration`), summed. */
  durationMs: number;
}

const INNER = Symbol("inner statement");

type Row = Record<string, unknown>;

class MeteredStatement {
  readonly [INNER]: D1PreparedStatement;
  readonly #cost: D1Cost;

  constructor(inner: D1PreparedStatement, cost: D1Cost) {
    this[INNER] = inner;
    this.#cost = cost;
  }

  bind(...values: unknown[]): D1PreparedStatement {
    return new MeteredStatement(this[INNER].bind(...values), this.#cost) as unknown as D1PreparedStatement;
  }

  async run<T = Row>(): Promise<D1Result<T>> {
    return record(this.#cost, await this[INNER].run<T>());
  }

  async all<T = Row>(): Promise<D1Result<T>> {
    return record(this.#cost, await this[INNER].all<T>());
  }

  /** Through `all()`: D1's own `first()` answers the row without its `meta`. */
  async first<T = unknown>(column?: string): Promise<T | null> {
    const row = (await this.all<Row>()).results[0];
    if (row === undefined) return null;
    return (column === undefined ? row : row[column]) as T;
  }

  /** Through `all()` as well (D1's `raw()` has no `meta`): the columns in the order the row lists them. */
  async raw<T = unknown[]>(options?: { columnNames?: boolean }): Promise<T[]> {
    const rows = (await this.all<Row>()).results;
    const arrays = rows.map((row) => Object.values(row)) as T[];
    return options?.columnNames ? [Object.keys(rows[0] ?? {}) as T, ...arrays] : arrays;
  }
}

function record<R extends D1Result<unknown>>(cost: D1Cost, result: R): R {
  cost.batches++;
  add(cost, result);
  return result;
}

function add(cost: D1Cost, result: D1Result<unknown>): void {
  cost.rowsRead += result.meta?.rows_read ?? 0;
  cost.rowsWritten += result.meta?.rows_written ?? 0;
  cost.durationMs += result.meta?.duration ?? 0;
}

/** A statement of any metered binding back to D1's own (D1 runs only its own statements in a batch). */
function unwrap(statement: D1PreparedStatement): D1PreparedStatement {
  return (statement as unknown as Partial<MeteredStatement>)[INNER] ?? statement;
}

/**
 * `db` with every statement and batch run through it counted in `cost`; its sessions
 * (`withSession`) are metered into the same `cost`.
 */
export function metered(
  inner: D1Database | D1DatabaseSession,
  cost: D1Cost = { rowsRead: 0, rowsWritten: 0, batches: 0, durationMs: 0 },
): { db: D1Database; cost: D1Cost } {
  const whole = inner as Partial<D1Database>;
  const db = {
    prepare: (sql: string) => new MeteredStatement(inner.prepare(sql), cost) as unknown as D1PreparedStatement,
    async batch<T = unknown>(statements: D1PreparedStatement[]): Promise<D1Result<T>[]> {
      const results = await inner.batch<T>(statements.map(unwrap));
      cost.batches++;
      for (const result of results) add(cost, result);
      return results;
    },
    async exec(query: string): Promise<D1ExecResult> {
      // Migrations' kind of call: D1 answers a statement count and a duration, no rows.
      const result = await whole.exec!(query);
      cost.batches++;
      cost.durationMs += result.duration;
      return result;
    },
    // A binding without sessions (a session itself, or a stub in tests) stands for its own session.
    withSession: (constraint?: string) =>
      whole.withSession ? metered(whole.withSession(constraint as never), cost).db : db,
    /** A session's bookmark (null for the whole database, which has none). */
    getBookmark: () => (inner as Partial<D1DatabaseSession>).getBookmark?.() ?? null,
    dump: () => whole.dump!(),
  };
  return { db: db as unknown as D1Database, cost };
}

/** The standard `Server-Timing` entry for a request's D1 cost. */
export function serverTiming(cost: D1Cost): string {
  const ms = Math.round(cost.durationMs * 1000) / 1000;
  return `d1;dur=${ms};desc="rows_read=${cost.rowsRead} rows_written=${cost.rowsWritten} batches=${cost.batches}"`;
}
