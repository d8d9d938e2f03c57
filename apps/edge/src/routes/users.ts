import { errors, type PatchedUserRequest, RESOURCES, type User, userTypeProblem } from "@rac-edge/core";
import { crudRoutes } from "../http/crud.ts";
import type { Context } from "../http/router.ts";
import { BOOTSTRAP_USERNAME } from "../repositories/bootstrap.ts";
import { filtering } from "../repositories/filters.ts";
import {
  deleteUser,
  insertUser,
  updateUser,
  userByKey,
  userFilters,
  userFromRow,
  userList,
} from "../repositories/users.ts";

/**
 * Rules beyond field validation: only superusers grant or revoke superuser status (it is writable
 * here because rac-edge has no groups), authentik's user type rules, and no groups exist.
 */
function authorizeUser({ caller }: Context, input: PatchedUserRequest, current: User | null): void {
  if (
    input.is_superuser !== undefined &&
    input.is_superuser !== (current?.is_superuser ?? false) &&
    !caller.superuser
  ) {
    throw errors.forbidden();
  }
  const typeProblem = userTypeProblem(input.type, current?.type ?? null);
  if (typeProblem !== null) throw errors.field("type", typeProblem);
  const group = input.groups?.[0];
  if (group !== undefined) throw errors.field("groups", `Invalid pk "${group}" - object does not exist.`);
}

const OUTPOST_ACCOUNT = "This user is an outpost's service account; delete the outpost instead (with its account).";

const BOOTSTRAP_ACCOUNT = "akadmin holds the bootstrap token: it cannot be deleted while BOOTSTRAP_TOKEN is set.";

export const userRoutes = crudRoutes(RESOURCES.users, {
  list: userList,
  fromRow: userFromRow,
  filters: filtering(userFilters),
  row: { table: "users", column: "id" },
  byKey: userByKey,
  authorize: authorizeUser,
  create: ({ db }, input) => insertUser(db, input),
  update: ({ db }, current, input) => updateUser(db, current.pk, input),
  async remove({ db, env }, current) {
    // Deleting akadmin would delete the bootstrap token with it: refused like deleting the token.
    if (current.username === BOOTSTRAP_USERNAME && env.BOOTSTRAP_TOKEN) throw errors.nonField(BOOTSTRAP_ACCOUNT);
    if (!(await deleteUser(db, current.pk))) throw errors.nonField(OUTPOST_ACCOUNT);
  },
});
