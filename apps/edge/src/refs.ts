import { errors, type FieldErrors, type ModelName } from "@rac-edge/core";
import type { Access } from "./access.ts";
import { existingIds, type Ref } from "./repositories/refs.ts";

export type { Ref };

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
 * Referenced objects the caller must be able to view, by table: one they may not view answers as
 * if it did not exist, so writes cannot probe or enumerate them (users are checked by each route).
 */
const VIEWED: Record<string, ModelName> = {
  providers: "authentik_providers_rac.racprovider",
  flows: "authentik_flows.flow",
  property_mappings: "authentik_providers_rac.racpropertymapping",
  endpoints: "authentik_providers_rac.endpoint",
};

export async function requireRefs(db: D1Database, refs: Ref[], access: Access): Promise<void> {
  const fields = await missingRefs(db, refs, access);
  if (Object.keys(fields).length > 0) throw errors.validation(fields);
}

/**
 * The field errors of referenced ids that do not exist or that the caller may not view (one D1
 * batch): authentik's `Invalid pk "<id>" - object does not exist.`, for merging with other errors.
 */
export async function missingRefs(db: D1Database, refs: Ref[], access: Access): Promise<FieldErrors> {
  const wanted = refs.filter((ref) => ref.ids.length > 0);
  if (wanted.length === 0) return {};
  // Visibility comes from the caller's grants, read with the authentication: no query of its own.
  const visible = await Promise.all(
    wanted.map((ref) => {
      const model = VIEWED[ref.table];
      return model ? access.visible(model) : null;
    }),
  );
  const existing = await existingIds(db, wanted);
  const fields: FieldErrors = {};
  wanted.forEach((ref, index) => {
    const found = existing[index]!;
    const seen = visible[index] ? new Set(visible[index]) : null;
    const missing = ref.ids.find((id) => !found.has(String(id)) || (seen !== null && !seen.has(String(id))));
    if (missing !== undefined) fields[ref.field] = [`Invalid pk "${missing}" - object does not exist.`];
  });
  return fields;
}
