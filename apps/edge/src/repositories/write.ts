/**
 * The one write path of the standard repositories: an UPDATE of only the fields a request gives, the
 * statements that go with it, its event and the row read back, in one batch (so one round trip, and the
 * version guard a conditional request's binding adds covers all of it); constraint failures become outcomes.
 */
import { isForeignKeyViolation, uniqueViolation } from "./d1.ts";
import { type Outcome, outcome } from "./outcomes.ts";

/** A request field's column and how its value is stored (as is by default). */
export interface Column {
  column: string;
  encode?: (value: unknown) => unknown;
}

/** Request field -> column: the only names that reach SQL text. */
export type Writable = Record<string, Column>;

/** Fields stored as they are, in the column of the same name. */
export const asIs = (...fields: string[]): Writable =>
  Object.fromEntries(fields.map((field) => [field, { column: field }]));

export const asJson: (value: unknown) => unknown = (value) => JSON.stringify(value);
export const asFlag: (value: unknown) => unknown = (value) => (value ? 1 : 0);

/** `SET` clause and values of the writable fields `input` has (its own keys only), parameters from `?first`. */
export function assignments(writable: Writable, input: object, first: number): { sets: string; values: unknown[] } {
  const fields = Object.keys(input).filter((field) => Object.hasOwn(writable, field));
  const sets = fields.map((field, index) => `${writable[field]!.column} = ?${index + first}`).join(", ");
  const values = fields.map((field) => {
    const { encode } = writable[field]!;
    const value = (input as Record<string, unknown>)[field];
    return encode ? encode(value) : value;
  });
  return { sets, values };
}

/**
 * A write's failure as a domain outcome: a UNIQUE violation is `taken`; a FOREIGN KEY one is `reference`
 * when the write names one (else it stays an error for the CRUD layer's race handling).
 */
export function constraintOutcome(error: unknown, reference?: Outcome): unknown {
  const column = uniqueViolation(error);
  if (column !== null) return outcome({ kind: "taken", columns: [column] });
  if (reference !== undefined && isForeignKeyViolation(error)) return outcome(reference);
  return error;
}

/** Runs a write's batch, its constraint failures turned into outcomes. */
export async function writeBatch<T = unknown>(
  db: D1Database,
  statements: D1PreparedStatement[],
  reference?: Outcome,
): Promise<D1Result<T>[]> {
  try {
    return await db.batch<T>(statements);
  } catch (error) {
    throw constraintOutcome(error, reference);
  }
}

export interface RowUpdate {
  /** Table and key column (constants of the repository) and the row's key. */
  table: string;
  key: [column: string, value: string | number];
  writable: Writable;
  /** The request's fields; only those `writable` lists are written. */
  input: object;
  /** Statements of the same change after the UPDATE (links, renames, revocations). */
  also?: D1PreparedStatement[];
  /** The change's event (`modelEvent`): after the writes, it reads the row as written. */
  event: D1PreparedStatement;
  /** The row as answered, read last; no row: the row was deleted meanwhile (`notFound`). */
  readBack: D1PreparedStatement;
  /** What a foreign key refusing the write means (a named reference gone), if the request names one. */
  reference?: Outcome;
}

/** Sets only the fields given and answers the row read back in the same batch. */
export async function updateRow<Row>(db: D1Database, update: RowUpdate): Promise<Row> {
  const { sets, values } = assignments(update.writable, update.input, 2);
  const [column, key] = update.key;
  const statements: D1PreparedStatement[] = [];
  const sql = `UPDATE ${update.table} SET ${sets} WHERE ${column} = ?1`;
  if (sets !== "") statements.push(db.prepare(sql).bind(key, ...values));
  statements.push(...(update.also ?? []), update.event, update.readBack);
  const results = await writeBatch<Row>(db, statements, update.reference);
  const row = results.at(-1)!.results[0];
  if (row === undefined) throw outcome({ kind: "notFound" });
  return row;
}
