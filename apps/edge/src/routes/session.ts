import { codename, DEFAULT_AVATAR, errors, USER_TYPES } from "@rac-edge/core";
import * as v from "valibot";
import { clock } from "../clock.ts";
import { readBody } from "../http/body.ts";
import { json, noContent } from "../http/responses.ts";
import type { Handler, Routes } from "../http/router.ts";
import { documented } from "../openapi/operation.ts";
import { setPassword, verifiedCurrentPassword } from "../repositories/browserSessions.ts";
import { runPlan } from "../repositories/d1.ts";
import { userByKey } from "../repositories/users.ts";
import { hashPassword, passwordProblem } from "../signin/passwords.ts";

const SetPasswordSchema = v.object({
  password: v.pipe(v.string(), v.maxLength(4096)),
  current_password: v.optional(v.pipe(v.string(), v.maxLength(4096))),
});

const UserSelfSchema = v.object({
  pk: v.number(),
  username: v.string(),
  name: v.string(),
  is_active: v.boolean(),
  is_superuser: v.boolean(),
  groups: v.array(v.object({ name: v.string(), pk: v.string() })),
  email: v.string(),
  avatar: v.string(),
  uid: v.string(),
  settings: v.record(v.string(), v.unknown()),
  type: v.picklist(USER_TYPES),
  system_permissions: v.array(v.string()),
});
const SessionUserSchema = v.object({ user: UserSelfSchema });

/**
 * `POST /core/users/{id}/set_password/`: superusers and holders of `change_user` on the user set any
 * password; a user setting their own without that permission must also send `current_password`, so a
 * stolen session cannot lock its owner out. Every session of the user ends with the change (same batch).
 */
const setPasswordHandler: Handler = async ({ db, params, request, caller, access }) => {
  const target = await runPlan(db, userByKey(db, params.key!));
  if (target === null) throw errors.notFound();
  const own = target.pk === caller.userId;
  if (!own) await access.requireVisible("authentik_core.user", target.pk);
  const manages = await access.has(codename("authentik_core.user", "change"), target.pk);
  if (!own && !manages) throw errors.forbidden();
  const input = await readBody(request, SetPasswordSchema);
  const problem = passwordProblem(input.password, target.username);
  if (problem !== null) throw errors.field("password", problem);
  if (!manages) {
    if (input.current_password === undefined) throw errors.field("current_password", "This field is required.");
    if (!(await verifiedCurrentPassword(db, target.pk, input.current_password))) {
      throw errors.field("current_password", "The current password is not correct.");
    }
  }
  if (!(await setPassword(db, target.pk, await hashPassword(input.password), clock.now()))) throw errors.notFound();
  return noContent();
};

/** `GET /core/users/me/`: authentik's SessionUser for the caller, whichever way they authenticated. */
const me: Handler = async ({ db, caller, access }) => {
  const user = await runPlan(db, userByKey(db, String(caller.userId)));
  if (user === null) throw errors.notFound();
  const grants = await access.globalPermissions();
  return json({
    user: {
      pk: user.pk,
      username: user.username,
      name: user.name,
      is_active: user.is_active,
      is_superuser: user.is_superuser,
      groups: [],
      email: user.email,
      avatar: DEFAULT_AVATAR,
      uid: user.uid,
      settings: {},
      type: user.type,
      system_permissions: grants,
    },
  });
};

export const sessionRoutes: Routes = {
  "/api/v3/core/users/me/": {
    GET: documented(
      {
        summary: "The caller as a SessionUser",
        description:
          'authentik\'s `{"user": UserSelf}` for a bearer token or a browser session; `settings` is empty and ' +
          "`original` (impersonation) never appears. `system_permissions` lists the caller's global grants.",
        success: { status: 200, description: "The caller.", schema: SessionUserSchema },
        operationId: "core_users_me_retrieve",
      },
      me,
    ),
  },
  "/api/v3/core/users/:key/set_password/": {
    POST: documented(
      {
        summary: "Set a user's password",
        description:
          "Superusers, or `change_user` on the user. A user may set their own password without that permission by " +
          "also sending `current_password` (an extension). At least 8 characters, not the username. Stored as " +
          "Argon2id (m=19 MiB, t=2, p=1); every browser session of the user ends.",
        path: { key: { name: "id", type: "integer", description: "The user's integer id." } },
        body: { schema: SetPasswordSchema, required: true },
        success: { status: 204, description: "The password is set." },
        errors: {
          400: "Too short, equal to the username, or a missing/wrong `current_password`.",
          404: "No such user.",
        },
        operationId: "core_users_set_password_create",
      },
      setPasswordHandler,
    ),
  },
};
