import { errors, type FieldErrors } from "@rac-edge/core";

/** A field's referenced ids and where they must exist. */
export interface Ref {
  field: string;
  table: string;
  column: string;
  ids: readonly (string | number)[];
}

/**
 * `refs` less the ids `held` already lists under the same field: references an object already
 * holds exist (its foreign keys say so), so an update that keeps them need not look them up.
 */
export function newRefs(refs: Ref[], held: Ref[]): Ref[] {
  return refs.map((ref) => {
    const kept = new Set(held.filter((other) => other.field === ref.field).flatMap((other) => other.ids.map(String)));
    return { ...ref, ids: ref.ids.filter((id) => !kept.has(String(id))) };
  });
}

/**
 * Checks every referenced id in one D1 batch; missing ones answer authentik's
 * `Invalid pk "<id>" - object does not exist.` under their field.
 */
export async function requireRefs(db: D1Database, refs: Ref[]): Promise<void> {
  const wanted = refs.filter((ref) => ref.ids.length > 0);
  if (wanted.length === 0) return;
  const results = await db.batch(
    wanted.map((ref) =>
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
  const fields: FieldErrors = {};
  wanted.forEach((ref, index) => {
    const found = new Set((results[index]!.results as { id: string }[]).map((row) => row.id));
    const missing = ref.ids.find((id) => !found.has(String(id)));
    if (missing !== undefined) fields[ref.field] = [`Invalid pk "${missing}" - object does not exist.`];
  });
  if (Object.keys(fields).length > 0) throw errors.validation(fields);
}
