import {
  CODENAMES,
  errors,
  type FieldErrors,
  operationPath,
  type PermissionAssign,
  PermissionAssignSchema,
  parseIntegerKey,
  RESOURCES,
} from "@rac-edge/core";
import { readBody } from "../http/body.ts";
import { json, noContent } from "../http/responses.ts";
import type { Context, Handler, Routes } from "../http/router.ts";
import { assignGrants, type Grant, grantObject, unassignGrants, userExists } from "../repositories/permissions.ts";

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
    const found = await grantObject(db, model, objectPk);
    if (found === null) fields.object_pk = ["Object does not exist."];
    else objectPk = found;
  }
  if (Object.keys(fields).length > 0) throw errors.validation(fields);
  return input.permissions.map((codename) => ({ codename, objectPk }));
}

const change =
  (kind: "assign" | "unassign"): Handler =>
  async ({ db, params, access, request }: Context) => {
    if (!(await access.hasGlobal(`authentik_core.${kind}_user_permissions`))) throw errors.forbidden();
    const userId = parseIntegerKey(params.key!);
    if (userId === null) throw errors.notFound();
    const input = await readBody(request, PermissionAssignSchema);
    if (!(await userExists(db, userId))) throw errors.notFound();
    const grants = await grantsOf(db, input);
    // A user deleted after the check above is the notFound outcome: the answer of a later request.
    // authentik answers assign with the ids of the assigned permissions, unassign with no body.
    if (kind === "assign") return json(await assignGrants(db, userId, grants));
    await unassignGrants(db, userId, grants);
    return noContent();
  };

export const rbacRoutes: Routes = {
  [operationPath(RESOURCES.rbac, "assign")]: { POST: change("assign") },
  [operationPath(RESOURCES.rbac, "unassign")]: { PATCH: change("unassign") },
};
