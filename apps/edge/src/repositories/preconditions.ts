/**
 * Conditional writes on D1, which has no interactive transactions: the write's batch starts with a
 * guard that aborts the whole batch when the row's `version` (migration 0010's triggers bump it on
 * every change) is no longer the one read when the client's If-Match was compared.
 */

import type { ReadPlan } from "./d1.ts";
import { joined } from "./joined.ts";

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

/** A planned read of an object and its row's version, in one batch (no version: the row is gone). */
export async function readVersioned<T>(
  db: D1Database,
  plan: ReadPlan<T>,
  row: VersionedRow,
  key: string | number,
): Promise<{ value: Awaited<T>; version: number | undefined }> {
  const results = await db.batch([...plan.statements, versionOf(db, row, key)]);
  const value = await plan.read(results.slice(0, -1));
  return { value, version: (results.at(-1)!.results[0] as { version?: number } | undefined)?.version };
}

/** Aborts its batch unless the row still has `version` (a deleted row has none: aborts too). */
export const versionGuard = (
  db: D1Database,
  row: VersionedRow,
  key: string | number,
  version: number,
): D1PreparedStatement =>
  db
    .prepare(
      `INSERT INTO preconditions (expected, actual)
       SELECT ?1, (SELECT version FROM ${row.table} WHERE ${row.column} = ?2)`,
    )
    .bind(version, key);

/**
 * `db` with `guard` first in every batch and every statement run through it: repositories write as
 * usual, and a guard that fails rolls their batch back whole.
 */
export const guarded = (db: D1Database, guard: D1PreparedStatement): D1Database => joined(db, { before: [guard] });
