import {
  errors,
  type PatchedUserRequest,
  PatchedUserRequestSchema,
  USER_TYPES,
  type User,
  type UserRequest,
  UserRequestSchema,
  UserSchema,
  userTypeProblem,
} from "@rac-edge/core";
import { crudRoutes } from "../http/crud.ts";
import type { Context } from "../http/router.ts";
import { BOOTSTRAP_USERNAME } from "../repositories/bootstrap.ts";
import { filtering } from "../repositories/filters.ts";
import {
  deleteUser,
  insertUser,
  type UserRow,
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

export const userRoutes = crudRoutes<User, UserRequest, PatchedUserRequest, UserRow>({
  model: "authentik_core.user",
  path: "/api/v3/core/users/",
  list: userList,
  fromRow: userFromRow,
  filters: filtering(userFilters),
  row: { table: "users", column: "id" },
  byKey: userByKey,
  createSchema: UserRequestSchema,
  patchSchema: PatchedUserRequestSchema,
  schema: UserSchema,
  doc: {
    noun: "user",
    key: { name: "id", type: "integer", description: "The user's integer id." },
    filters: [
      ...(["username", "name", "email", "path"] as const).map((name) => ({
        name,
        type: "string" as const,
        description: `Exact ${name}.`,
      })),
      { name: "is_active", type: "boolean", description: "Active or not." },
      { name: "is_superuser", type: "boolean", description: "Superuser or not." },
      { name: "uuid", type: "uuid", description: "The user's uuid; a malformed one is a 400." },
      { name: "type", type: "string", enum: USER_TYPES, repeatable: true, description: "Any of the given types." },
    ],
    notes: {
      create:
        "`is_superuser` is writable (rac-edge has no groups) and only superusers may set or change it; `groups` must be empty.",
    },
    deleteRefused:
      "An outpost's service account (delete the outpost instead), or akadmin while BOOTSTRAP_TOKEN is set.",
  },
  authorize: authorizeUser,
  create: ({ db }, input) => insertUser(db, input),
  update: ({ db }, current, input) => updateUser(db, current.pk, input),
  async remove({ db, env }, current) {
    // Deleting akadmin would delete the bootstrap token with it: refused like deleting the token.
    if (current.username === BOOTSTRAP_USERNAME && env.BOOTSTRAP_TOKEN) throw errors.nonField(BOOTSTRAP_ACCOUNT);
    if (!(await deleteUser(db, current.pk))) throw errors.nonField(OUTPOST_ACCOUNT);
  },
});
