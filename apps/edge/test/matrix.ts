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

import { RESOURCES, type ResourceName, resourceRoutes, type StandardOperation } from "@rac-edge/core";

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

/** The answers of each standard operation, unless a resource's row below says otherwise. */
const STANDARD: Record<StandardOperation, [Action, Record<Authenticated, number>]> = {
  list: ["list", LIST],
  create: ["create", CREATE],
  retrieve: ["retrieve", READ],
  update: ["put", WRITE],
  partialUpdate: ["patch", WRITE],
  destroy: ["delete", DELETE],
  usedBy: ["usedBy", USED_BY],
};

/** Which fixture a resource's requests are built from (the fuzzer's too); an alias path has its own. */
export const SUBJECTS: Record<ResourceName, Subject> = {
  flows: "flow",
  providers: "provider",
  users: "user",
  tokens: "token",
  applications: "application",
  endpoints: "endpoint",
  propertyMappings: "mapping",
  outposts: "outpost",
  connectionTokens: "connectionToken",
  events: "event",
  gateway: "gateway",
  rbac: "user",
  schema: "none",
};
const ALIAS_SUBJECTS: Record<string, Subject> = { "propertymappings/rac/": "mappingAlias" };

/** Rows beyond the standard answers, by `resource.operation`: every non-standard operation needs one. */
const ROWS: Record<string, (subject: Subject) => Row> = {
  // The OpenAPI document: public, as authentik's; a bad token is not even looked at.
  "schema.document": () =>
    row("none", "read", LIST, {
      anonymous: 200,
      malformed: 200,
      unknown: 200,
      expired: 200,
      inactive: 200,
      throttled: 200,
    }),

  // API tokens: anyone may create tokens for themselves; owners see, change, delete their own.
  "tokens.create": (subject) =>
    row(subject, "create", { noGrants: 201, otherGrant: 201, owner: 201, outpost: 201, superuser: 201 }),
  "tokens.viewKey": (subject) => row(subject, "viewKey", READ),

  // Connection tokens: created only by a launch; owners see and revoke theirs but need change_ to move them.
  "connectionTokens.update": (subject) =>
    row(subject, "put", { noGrants: 404, otherGrant: 404, owner: 403, outpost: 404, superuser: 200 }),
  "connectionTokens.partialUpdate": (subject) =>
    row(subject, "patch", { noGrants: 404, otherGrant: 404, owner: 403, outpost: 404, superuser: 200 }),

  // Launch needs view on the endpoint (403 otherwise, as authentik's launch flow denies access).
  "endpoints.launch": (subject) =>
    row(subject, "launch", { noGrants: 403, otherGrant: 403, owner: 201, outpost: 403, superuser: 201 }),
  // Effective settings: exactly who may retrieve the endpoint (404 for anyone else).
  "endpoints.effectiveSettings": (subject) => row(subject, "retrieve", READ),
  // The gateway: outposts serving the token's provider, and superusers; not the token's own user.
  "gateway.connect": (subject) =>
    row(subject, "connect", { noGrants: 403, otherGrant: 403, owner: 403, outpost: 200, superuser: 200 }),
  "gateway.disconnect": (subject) =>
    row(subject, "disconnect", { noGrants: 403, otherGrant: 403, owner: 403, outpost: 200, superuser: 200 }),

  // The caller themself, whoever they are (bearer or session).
  "users.me": () => row("none", "read", { noGrants: 200, otherGrant: 200, owner: 200, outpost: 200, superuser: 200 }),
  // set_password: change_user on the user (the owner holds it); the user's own is tested in test/signin/.
  "users.setPassword": (subject) =>
    row(subject, "setPassword", { noGrants: 404, otherGrant: 404, owner: 204, outpost: 404, superuser: 204 }),

  // Events: read only; superusers and view_event holders (globally or on the event): the standard rows.

  // RBAC: the global assign/unassign permission; object grants on the user do not count.
  "rbac.assign": (subject) =>
    row(subject, "assign", { noGrants: 403, otherGrant: 403, owner: 403, outpost: 403, superuser: 200 }),
  "rbac.unassign": (subject) =>
    row(subject, "unassign", { noGrants: 403, otherGrant: 403, owner: 403, outpost: 403, superuser: 204 }),
};

/** Every route of every descriptor (`METHOD /api/v3/path`, `:key` for the key), with its row. */
export const MATRIX: Record<string, Row> = Object.fromEntries(
  (Object.keys(RESOURCES) as ResourceName[]).flatMap((name) =>
    resourceRoutes(RESOURCES[name]).map((route) => {
      const base = [RESOURCES[name].path, ...RESOURCES[name].aliases].find((path) => route.path.startsWith(path))!;
      const subject = ALIAS_SUBJECTS[base] ?? SUBJECTS[name];
      const special = ROWS[`${name}.${route.name}`];
      const standard = STANDARD[route.name as StandardOperation];
      if (special === undefined && standard === undefined) throw new Error(`no matrix row for ${name}.${route.name}`);
      const expected = special ? special(subject) : row(subject, standard[0], standard[1]);
      return [`${route.method} /api/v3/${route.path}`, expected];
    }),
  ),
);
