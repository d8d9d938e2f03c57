import {
  CODENAMES,
  errors,
  type FieldErrors,
  normalizeUuid,
  operationPath,
  type PermissionAssign,
  PermissionAssignSchema,
  RESOURCES,
} from "@rac-edge/core";
import { readBody } from "../http/body.ts";
import { json, noContent } from "../http/responses.ts";
import type { Context, Handler, Routes } from "../http/router.ts";
import { MODEL_TABLES } from "../models.ts";
import { isForeignKeyViolation } from "../repositories/d1.ts";
import { assignedIds, assignStatements, type Grant, unassignStatements } from "../repositories/permissions.ts";
import { revokeUnlaunchable } from "../repositories/revocations.ts";

const LAUNCH_GRANT = "authentik_providers_rac.view_endpoint";

/** Turns an assign/unassign body into grants, with every check done before any write. */
async function grantsOf(db: D1Database, input: PermissionAssign): Promise<Grant[]> {
  const fields: FieldErrors = {};
  const model = input.model ?? null;
  let objectPk = input.object_pk ?? "";
  if (model !== null && objectPk === "") fields.object_pk = ["This field is required when model is set."];
  if (model === null && objectPk !== "") fields.model = ["This field is required when object_pk is set."];
  const problems = input.permissions.flatMap((perm) => {
    const applies = CODENAMES.get(perm);
    if (applies === undefined) return [`Permission "${perm}" does not exist.`];
    return model !== null && applies !== model ? [`Permission "${perm}" does not apply to ${model}.`] : [];
  });
  if (problems.length > 0) fields.permissions = problems;
  if (Object.keys(fields).length === 0 && model !== null) {
    const target = MODEL_TABLES[model];
    if (!target.integer) objectPk = normalizeUuid(objectPk) ?? objectPk;
    const found = await db
      .prepare(`SELECT 1 AS found FROM ${target.table} WHERE CAST(${target.pk} AS TEXT) = ?1`)
      .bind(objectPk)
      .first();
    if (found === null) fields.object_pk = ["Object does not exist."];
  }
  if (Object.keys(fields).length > 0) throw errors.validation(fields);
  return input.permissions.map((codename) => ({ codename, objectPk }));
}

const change =
  (kind: "assign" | "unassign"): Handler =>
  async ({ db, params, access, request }: Context) => {
    if (!(await access.hasGlobal(`authentik_core.${kind}_user_permissions`))) throw errors.forbidden();
    if (!/^\d{1,15}$/.test(params.key!)) throw errors.notFound();
    const userId = Number(params.key);
    const input = await readBody(request, PermissionAssignSchema);
    const user = await db.prepare("SELECT id FROM users WHERE id = ?1").bind(userId).first();
    if (user === null) throw errors.notFound();
    const grants = await grantsOf(db, input);
    const statements =
      kind === "assign" ? assignStatements(db, userId, grants) : unassignStatements(db, userId, grants);
    // Without view on an endpoint, its connection tokens go in the same batch as the grant.
    const launchGrantGoes = kind === "unassign" && grants.some((grant) => grant.codename === LAUNCH_GRANT);
    if (launchGrantGoes) statements.push(revokeUnlaunchable(db, userId));
    let results: D1Result[] = [];
    try {
      if (statements.length > 0) results = await db.batch(statements);
    } catch (error) {
      // The user was deleted after the check above: the answer of a request that came a moment later.
      throw isForeignKeyViolation(error) ? errors.notFound() : error;
    }
    // authentik answers assign with the ids of the assigned permissions, unassign with no body.
    return kind === "assign" ? json(assignedIds(results)) : noContent();
  };

export const rbacRoutes: Routes = {
  [operationPath(RESOURCES.rbac, "assign")]: { POST: change("assign") },
  [operationPath(RESOURCES.rbac, "unassign")]: {
    PATCH: change("unassign"),
  },
};
