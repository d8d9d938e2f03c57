/**
 * The authorization matrix: every route and method, times every kind of caller, with the expected
 * status. test/authorization.test.ts runs it and fails when a served route has no row here, or a
 * row names a route that is no longer served.
 *
 * Caller kinds:
 * - anonymous: no Authorization header; malformed: a header that is not `Bearer <key>`;
 *   unknown: a key no token has; expired: an expired API token; inactive: an inactive user's key.
 * - noGrants: an active user without any permission.
 * - otherGrant: holds every object permission (view, change, delete, ...) on another object of the
 *   route's model, none on the target.
 * - owner: the target's owner: the user of an API token or a connection token; for every other
 *   model, the holder of every object permission on the target (rac-edge's only kind of ownership).
 * - outpost: an outpost's API token (its service account holds no permissions).
 * - forgedOutpost: a user's token carrying the identifier of an outpost's token whose own token is
 *   gone (what deleting the outpost's account once allowed): exactly what noGrants gets.
 * - superuser.
 * - throttled: an unknown key from a client address past the failed-authentication limit: 429.
 */

export const CALLER_KINDS = [
  "anonymous",
  "malformed",
  "unknown",
  "expired",
  "inactive",
  "throttled",
  "noGrants",
  "otherGrant",
  "owner",
  "outpost",
  "forgedOutpost",
  "superuser",
] as const;
export type CallerKind = (typeof CALLER_KINDS)[number];
type Authenticated = Exclude<
  CallerKind,
  "anonymous" | "malformed" | "unknown" | "expired" | "inactive" | "throttled" | "forgedOutpost"
>;

/** Which fixture a row's request is built from (target object, bodies). */
export type Subject =
  | "none"
  | "flow"
  | "provider"
  | "user"
  | "token"
  | "application"
  | "endpoint"
  | "mapping"
  | "mappingAlias"
  | "outpost"
  | "connectionToken"
  | "gateway"
  | "event";

/** What the request does with the subject. */
export type Action =
  | "read"
  | "list"
  | "create"
  | "retrieve"
  | "put"
  | "patch"
  | "delete"
  | "usedBy"
  | "viewKey"
  | "launch"
  | "connect"
  | "disconnect"
  | "assign"
  | "unassign"
  | "setPassword";

export interface Row {
  subject: Subject;
  action: Action;
  expect: Record<CallerKind, number>;
}

/** No valid credentials: 403 on every route, before anything else is looked at; 429 past the failure limit. */
const UNAUTHENTICATED = { anonymous: 403, malformed: 403, unknown: 403, expired: 403, inactive: 403, throttled: 429 };

/** A forged outpost token is an ordinary user's: it gets what noGrants gets, on every route. */
const row = (
  subject: Subject,
  action: Action,
  authenticated: Record<Authenticated, number>,
  unauthenticated = UNAUTHENTICATED,
): Row => ({
  subject,
  action,
  expect: { ...unauthenticated, ...authenticated, forgedOutpost: authenticated.noGrants },
});

// The standard RBAC answers (api.md section 2), named once; each row below still says which applies.
/** Lists are filtered, never refused: an empty page for those who may see nothing. */
const LIST = { noGrants: 200, otherGrant: 200, owner: 200, outpost: 200, superuser: 200 };
/** Create needs the global add_ permission: object grants do not count. */
const CREATE = { noGrants: 403, otherGrant: 403, owner: 403, outpost: 403, superuser: 201 };
/** An object the caller cannot see is 404, whatever the method. */
const READ = { noGrants: 404, otherGrant: 404, owner: 200, outpost: 404, superuser: 200 };
const WRITE = READ;
const DELETE = { noGrants: 404, otherGrant: 404, owner: 204, outpost: 404, superuser: 204 };
/** used_by: any authenticated caller, on any existing object (it lists only what they may view). */
const USED_BY = { noGrants: 200, otherGrant: 200, owner: 200, outpost: 200, superuser: 200 };

const crud = (subject: Subject, path: string): Record<string, Row> => ({
  [`GET ${path}`]: row(subject, "list", LIST),
  [`POST ${path}`]: row(subject, "create", CREATE),
  [`GET ${path}:key/`]: row(subject, "retrieve", READ),
  [`PUT ${path}:key/`]: row(subject, "put", WRITE),
  [`PATCH ${path}:key/`]: row(subject, "patch", WRITE),
  [`DELETE ${path}:key/`]: row(subject, "delete", DELETE),
  [`GET ${path}:key/used_by/`]: row(subject, "usedBy", USED_BY),
});

export const MATRIX: Record<string, Row> = {
  // The OpenAPI document: public, as authentik's; a bad token is not even looked at.
  "GET /api/v3/schema/": row("none", "read", LIST, {
    anonymous: 200,
    malformed: 200,
    unknown: 200,
    expired: 200,
    inactive: 200,
    throttled: 200,
  }),

  ...crud("flow", "/api/v3/flows/instances/"),
  ...crud("provider", "/api/v3/providers/rac/"),
  ...crud("user", "/api/v3/core/users/"),
  ...crud("application", "/api/v3/core/applications/"),
  ...crud("endpoint", "/api/v3/rac/endpoints/"),
  ...crud("mapping", "/api/v3/propertymappings/provider/rac/"),
  ...crud("mappingAlias", "/api/v3/propertymappings/rac/"),
  ...crud("outpost", "/api/v3/outposts/instances/"),

  // API tokens: anyone may create tokens for themselves; owners see, change, delete their own.
  "GET /api/v3/core/tokens/": row("token", "list", LIST),
  "POST /api/v3/core/tokens/": row("token", "create", {
    noGrants: 201,
    otherGrant: 201,
    owner: 201,
    outpost: 201,
    superuser: 201,
  }),
  "GET /api/v3/core/tokens/:key/": row("token", "retrieve", READ),
  "PUT /api/v3/core/tokens/:key/": row("token", "put", WRITE),
  "PATCH /api/v3/core/tokens/:key/": row("token", "patch", WRITE),
  "DELETE /api/v3/core/tokens/:key/": row("token", "delete", DELETE),
  "GET /api/v3/core/tokens/:key/used_by/": row("token", "usedBy", USED_BY),
  "GET /api/v3/core/tokens/:key/view_key/": row("token", "viewKey", READ),

  // Connection tokens: created only by a launch; owners see and revoke theirs but need change_ to move them.
  "GET /api/v3/rac/connection_tokens/": row("connectionToken", "list", LIST),
  "GET /api/v3/rac/connection_tokens/:key/": row("connectionToken", "retrieve", READ),
  "PUT /api/v3/rac/connection_tokens/:key/": row("connectionToken", "put", {
    noGrants: 404,
    otherGrant: 404,
    owner: 403,
    outpost: 404,
    superuser: 200,
  }),
  "PATCH /api/v3/rac/connection_tokens/:key/": row("connectionToken", "patch", {
    noGrants: 404,
    otherGrant: 404,
    owner: 403,
    outpost: 404,
    superuser: 200,
  }),
  "DELETE /api/v3/rac/connection_tokens/:key/": row("connectionToken", "delete", DELETE),
  "GET /api/v3/rac/connection_tokens/:key/used_by/": row("connectionToken", "usedBy", USED_BY),

  // Launch needs view on the endpoint (403 otherwise, as authentik's launch flow denies access).
  "POST /api/v3/rac/endpoints/:key/launch/": row("endpoint", "launch", {
    noGrants: 403,
    otherGrant: 403,
    owner: 201,
    outpost: 403,
    superuser: 201,
  }),
  // Effective settings: exactly who may retrieve the endpoint (404 for anyone else).
  "GET /api/v3/rac/endpoints/:key/effective_settings/": row("endpoint", "retrieve", READ),
  // The gateway: outposts serving the token's provider, and superusers; not the token's own user.
  "POST /api/v3/rac/gateway/connect/": row("gateway", "connect", {
    noGrants: 403,
    otherGrant: 403,
    owner: 403,
    outpost: 200,
    superuser: 200,
  }),
  "POST /api/v3/rac/gateway/disconnect/": row("gateway", "disconnect", {
    noGrants: 403,
    otherGrant: 403,
    owner: 403,
    outpost: 200,
    superuser: 200,
  }),

  // The caller themself, whoever they are (bearer or session).
  "GET /api/v3/core/users/me/": row("none", "read", {
    noGrants: 200,
    otherGrant: 200,
    owner: 200,
    outpost: 200,
    superuser: 200,
  }),
  // set_password: change_user on the user (the owner holds it); the user's own is tested in test/signin/.
  "POST /api/v3/core/users/:key/set_password/": row("user", "setPassword", {
    noGrants: 404,
    otherGrant: 404,
    owner: 204,
    outpost: 404,
    superuser: 204,
  }),

  // Events: read only; superusers and view_event holders (globally or on the event).
  "GET /api/v3/events/events/": row("event", "list", LIST),
  "GET /api/v3/events/events/:key/": row("event", "retrieve", READ),

  // RBAC: the global assign/unassign permission; object grants on the user do not count.
  "POST /api/v3/rbac/permissions/assigned_by_users/:id/assign/": row("user", "assign", {
    noGrants: 403,
    otherGrant: 403,
    owner: 403,
    outpost: 403,
    superuser: 200,
  }),
  "PATCH /api/v3/rbac/permissions/assigned_by_users/:id/unassign/": row("user", "unassign", {
    noGrants: 403,
    otherGrant: 403,
    owner: 403,
    outpost: 403,
    superuser: 204,
  }),
};
