import * as v from "valibot";
import { USER_TYPES } from "./choices.ts";
import { boolean, choice, dictionary, list, optionalText, text, uuidRef } from "./fields.ts";

export type UserType = (typeof USER_TYPES)[number];

/** What a user row gets when the request leaves it out (inserts use these; the SQL DEFAULTs are not relied on). */
export const USER_DEFAULTS: { type: UserType; path: string; email: string } = {
  type: "internal",
  path: "users",
  email: "",
};

/** The type of the service accounts rac-edge makes for outposts (authentik's). */
export const INTERNAL_SERVICE_ACCOUNT = "internal_service_account" satisfies UserType;

/**
 * authentik's user type rules for an API write, or null when it may be made: nobody creates an
 * internal service account (only outposts get one), and one never changes to another type.
 */
export function userTypeProblem(requested: string | undefined, current: string | null): string | null {
  if (current === null && requested === INTERNAL_SERVICE_ACCOUNT)
    return "Setting a user to internal service account is not allowed.";
  if (current === INTERNAL_SERVICE_ACCOUNT && requested !== undefined && requested !== INTERNAL_SERVICE_ACCOUNT)
    return "Can't change internal service account to other user type.";
  return null;
}

/** Whether `value` is one of authentik's user types. */
export const isUserType = (value: string): value is UserType => (USER_TYPES as readonly string[]).includes(value);

export const GroupMemberSchema = v.object({
  pk: v.number(),
  username: v.string(),
  name: v.string(),
  is_active: v.boolean(),
  last_login: v.nullable(v.string()),
  email: v.string(),
  attributes: v.record(v.string(), v.unknown()),
  uid: v.string(),
});
export type GroupMember = v.InferOutput<typeof GroupMemberSchema>;

export const UserSchema = v.object({
  ...GroupMemberSchema.entries,
  is_superuser: v.boolean(),
  groups: v.array(v.string()),
  groups_obj: v.array(v.unknown()),
  /** authentik's avatar URL; rac-edge has no avatars, so authentik's default image. */
  avatar: v.string(),
  path: v.string(),
  type: v.picklist(USER_TYPES),
  uuid: v.string(),
});
export type User = v.InferOutput<typeof UserSchema>;

/** The avatar authentik answers with avatars switched off (`none`). */
export const DEFAULT_AVATAR = "/static/dist/assets/images/user_default.png";

const email = () =>
  v.pipe(
    v.nonNullable(v.string("Not a valid string."), "This field may not be null."),
    v.trim(),
    v.check((value) => value === "" || /^[^\s@]+@[^\s@]+$/.test(value), "Enter a valid email address."),
  );

/** authentik's user path: segments separated by `/`, none empty, no slash at either end. */
const userPath = () =>
  v.pipe(
    text(),
    v.check((value) => !value.startsWith("/") && !value.endsWith("/"), "No leading or trailing slashes allowed."),
    v.check((value) => !value.split("/").includes(""), "No empty segments in user path allowed."),
  );

/**
 * `is_superuser` is writable here (authentik derives it from groups, which rac-edge lacks).
 * `groups` is accepted for the client's sake; no group exists, so only `[]` passes the reference check.
 */
export const UserRequestSchema = v.object({
  username: text(150),
  name: optionalText(),
  is_active: v.optional(boolean()),
  is_superuser: v.optional(boolean()),
  email: v.optional(email()),
  attributes: v.optional(dictionary()),
  path: v.optional(userPath()),
  type: v.optional(choice(USER_TYPES)),
  groups: v.optional(list(uuidRef())),
});
export type UserRequest = v.InferOutput<typeof UserRequestSchema>;
export const PatchedUserRequestSchema = v.partial(UserRequestSchema);
export type PatchedUserRequest = v.InferOutput<typeof PatchedUserRequestSchema>;

/** `set_password`'s body: `current_password` when a user sets their own without change_user. */
export const SetPasswordSchema = v.object({
  password: v.pipe(v.string(), v.maxLength(4096)),
  current_password: v.optional(v.pipe(v.string(), v.maxLength(4096))),
});
export type SetPassword = v.InferOutput<typeof SetPasswordSchema>;

/** authentik's UserSelf, as `/core/users/me/` answers it. */
export const UserSelfSchema = v.object({
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
export type UserSelf = v.InferOutput<typeof UserSelfSchema>;
/** authentik's SessionUser: `{"user": UserSelf}`. */
export const SessionUserSchema = v.object({ user: UserSelfSchema });
export type SessionUser = v.InferOutput<typeof SessionUserSchema>;
