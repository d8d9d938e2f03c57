import { USER_TYPES } from "../choices.ts";
import type { PatchedUserRequest, SessionUser, SetPassword, User, UserRequest } from "../users.ts";
import { operation, resource } from "./descriptor.ts";

export const users = resource<User, UserRequest, PatchedUserRequest>()({
  model: "authentik_core.user",
  path: "core/users/",
  aliases: [],
  key: { name: "id", kind: "integer" },
  filters: {
    username: { type: "string" },
    name: { type: "string" },
    email: { type: "string" },
    path: { type: "string" },
    is_active: { type: "boolean" },
    is_superuser: { type: "boolean" },
    uuid: { type: "uuid" },
    type: { type: "string", enum: USER_TYPES, repeatable: true },
  },
  ordering: ["pk", "username", "name", "email", "is_active", "last_login"],
  search: true,
  standard: ["list", "create", "retrieve", "update", "partialUpdate", "destroy", "usedBy"],
  operations: {
    me: operation<never, SessionUser>("GET", "me/"),
    setPassword: operation<SetPassword, void>("POST", ":key/set_password/"),
  },
});
