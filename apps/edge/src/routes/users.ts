import {
  errors,
  filterChoiceMessage,
  normalizeUuid,
  type PatchedUserRequest,
  queryBoolean,
  RESOURCES,
  USER_TYPES,
  type User,
} from "@rac-edge/core";
import { crudRoutes } from "../http/crud.ts";
import type { Context } from "../http/router.ts";
import { type Condition, condition } from "../lists.ts";
import { BOOTSTRAP_USERNAME } from "../repositories/bootstrap.ts";
import { deleteUser, insertUser, updateUser, userByKey, userFromRow, userList } from "../repositories/users.ts";

const INTERNAL_SERVICE_ACCOUNT = "internal_service_account";

/** Exact filters of authentik's UsersFilter that rac-edge has columns for. */
function userFilters(url: URL): Condition[] {
  const query = url.searchParams;
  const filters: Condition[] = [];
  for (const field of ["username", "name", "email", "path"] as const) {
    if (query.has(field)) filters.push(condition(`u.${field} = ?`, query.get(field)));
  }
  for (const field of ["is_active", "is_superuser"] as const) {
    const value = queryBoolean(query.get(field));
    if (value !== null) filters.push(condition(`u.${field} = ?`, value ? 1 : 0));
  }
  if (query.has("uuid")) {
    const uuid = normalizeUuid(query.get("uuid")!);
    if (uuid === null) throw errors.field("uuid", "Enter a valid UUID.");
    filters.push(condition("u.uuid = ?", uuid));
  }
  const types = query.getAll("type");
  if (types.length > 0) {
    const unknown = types.find((type) => !(USER_TYPES as readonly string[]).includes(type));
    if (unknown !== undefined) throw errors.field("type", filterChoiceMessage(unknown));
    filters.push(condition("u.type IN (SELECT value FROM json_each(?))", JSON.stringify(types)));
  }
  return filters;
}

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
  if (current === null && input.type === INTERNAL_SERVICE_ACCOUNT) {
    throw errors.field("type", "Setting a user to internal service account is not allowed.");
  }
  if (
    current?.type === INTERNAL_SERVICE_ACCOUNT &&
    input.type !== undefined &&
    input.type !== INTERNAL_SERVICE_ACCOUNT
  ) {
    throw errors.field("type", "Can't change internal service account to other user type.");
  }
  const group = input.groups?.[0];
  if (group !== undefined) throw errors.field("groups", `Invalid pk "${group}" - object does not exist.`);
}

const OUTPOST_ACCOUNT = "This user is an outpost's service account; delete the outpost instead (with its account).";

const BOOTSTRAP_ACCOUNT = "akadmin holds the bootstrap token: it cannot be deleted while BOOTSTRAP_TOKEN is set.";

export const userRoutes = crudRoutes(RESOURCES.users, {
  list: userList,
  fromRow: userFromRow,
  filters: userFilters,
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
