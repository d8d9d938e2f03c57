import {
  codename,
  DEFAULT_AVATAR,
  errors,
  operationPath,
  RESOURCES,
  type SessionUser,
  SetPasswordSchema,
} from "@rac-edge/core";
import { clock } from "../clock.ts";
import { readBody } from "../http/body.ts";
import { json, noContent } from "../http/responses.ts";
import type { Handler, Routes } from "../http/router.ts";
import { setPassword, verifiedCurrentPassword } from "../repositories/browserSessions.ts";
import { runPlan } from "../repositories/d1.ts";
import { userByKey } from "../repositories/users.ts";
import { hashPassword, passwordProblem } from "../signin/passwords.ts";

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
  } satisfies SessionUser);
};

export const sessionRoutes: Routes = {
  [operationPath(RESOURCES.users, "me")]: {
    GET: me,
  },
  [operationPath(RESOURCES.users, "setPassword")]: {
    POST: setPasswordHandler,
  },
};
