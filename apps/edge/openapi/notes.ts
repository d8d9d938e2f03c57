/** Field descriptions of the document: meanings, and where rac-edge differs from authentik. */

const DURATION =
  "`key=value` pieces joined by `;` (weeks, days, hours, minutes, seconds, milliseconds, microseconds; singular " +
  "forms too), e.g. `hours=1;minutes=30`. Unlike authentik, whitespace around pieces is ignored (`hours=1; " +
  "minutes=30` is 90 minutes, authentik drops the second piece), unknown keys and non-finite or overflowing values " +
  "(beyond 100 years) are a 400. At launch: a positive total sets the token's expiry (at least one second), only the " +
  "literal zero (`seconds=0`, every piece an unsigned 0) means no time limit, other totals that round to zero " +
  "(`microseconds=0.4`, `seconds=-0`) give one second, a negative total cannot be launched (400).";
const EXPRESSION =
  "Stored and returned, but never executed or syntax-checked: rac-edge runs no Python. " +
  "Only `static_settings` take effect.";
const HOST =
  "`name`, `name:port`, `[IPv6]` or `[IPv6]:port` (port 1-65535); " +
  "authentik accepts any text and splits it at the first colon.";
const MAXIMUM_CONNECTIONS =
  "Live connection tokens of this endpoint across all users: negative for unlimited, 0 for nobody. " +
  "Enforced atomically at launch.";
const IS_SUPERUSER =
  "Writable here (rac-edge has no groups, from which authentik derives it); only superusers may set or change it.";
const TOKEN_PK = "May only repeat this token's own pk (authentik would silently copy the row to a new pk).";

/** Component -> property -> description. */
export const FIELD_NOTES: Record<string, Record<string, string>> = {
  RACProvider: { connection_expiry: DURATION },
  RACProviderRequest: { connection_expiry: DURATION },
  PatchedRACProviderRequest: { connection_expiry: DURATION },
  Endpoint: {
    host: HOST,
    maximum_connections: MAXIMUM_CONNECTIONS,
    launch_url: "`/application/rac/<application slug>/<pk>/`, or null without an application.",
  },
  EndpointRequest: { host: HOST, maximum_connections: MAXIMUM_CONNECTIONS },
  PatchedEndpointRequest: { host: HOST, maximum_connections: MAXIMUM_CONNECTIONS },
  RACPropertyMapping: { expression: EXPRESSION },
  RACPropertyMappingRequest: {
    expression: EXPRESSION,
    static_settings: "Required on create and PUT: a JSON object merged into the connection settings.",
  },
  PatchedRACPropertyMappingRequest: { expression: EXPRESSION },
  ConnectionToken: {
    expires: "An extension: when the token expires (ISO 8601), or null for a token without a time limit.",
    created: "An extension: when the token was launched (ISO 8601).",
    connected_at: "An extension: the gateway's last connect with the token (ISO 8601), or null before one.",
  },
  LaunchedConnectionToken: {
    expires: "When the token expires (ISO 8601), or null for a token without a time limit.",
    created: "When the token was launched (ISO 8601).",
    connected_at: "Null: the gateway has not connected with the token yet.",
    token: "The secret the gateway resolves. Shown only in this answer; stored hashed.",
  },
  ConnectionTokenRequest: { pk: TOKEN_PK },
  PatchedConnectionTokenRequest: { pk: TOKEN_PK },
  User: { is_superuser: IS_SUPERUSER, groups: "Always empty: rac-edge has no groups." },
  UserRequest: { is_superuser: IS_SUPERUSER, groups: "Only `[]`: rac-edge has no groups." },
  PatchedUserRequest: { is_superuser: IS_SUPERUSER, groups: "Only `[]`: rac-edge has no groups." },
  Token: { intent: "Only API tokens exist here." },
  TokenRequest: { expires: "Without it, a new token expires in 30 minutes (authentik's default)." },
  GatewayConnection: {
    settings: "The merged Guacamole parameters, every value a string, including the prompted password.",
  },
  PermissionAssignRequest: {
    permissions: "authentik codenames, e.g. `authentik_providers_rac.view_endpoint`.",
    model: "Omit (with `object_pk`) for a global grant.",
    object_pk: "The object's pk as text.",
  },
};

/** The differences are listed in one place, the README; the operations and fields concerned say theirs. */
const DIFFERENCES = [
  "Differences from authentik, on purpose: listed once, in the README's",
  "[Differences from authentik, on purpose]" +
    "(https://github.com/rac-edge/rac-edge#differences-from-authentik-on-purpose);",
  "each is also described on the operation or field it concerns.",
].join(" ");

/** What the document says once, for every operation. */
export const API_DESCRIPTION = [
  "rac-edge serves the RAC part of authentik's REST API (the shapes of the published client " +
    "`@goauthentik/api@2024.6.4-1724423607`) from a Cloudflare Worker backed by D1, plus extensions: launching " +
    "connections, the gateway's connect/disconnect, and `expires` on connection tokens.",
  "Conventions: `Authorization: Bearer <API token key>` on every call but this document (public, as authentik's) " +
    "and the health checks `/-/health/live/` and `/-/health/ready/` (204, or 503 when the database does not answer); " +
    "paths work with or without the final slash; JSON in and out. Answers carrying a secret (launch, `view_key`, " +
    "gateway connect, token create) say `Cache-Control: no-store`, the others `private, no-cache`, all `Vary: " +
    "Authorization`. CORS is off unless the deployment lists origins. Errors are authentik's bodies: `GenericError` " +
    '(`{"detail": "..."}`) or `ValidationError` (`{"field": ["message"]}`, object-level messages under ' +
    "`non_field_errors`). Every operation but this document may answer 403 (missing or invalid credentials, or no " +
    "permission) and 429 (more than 20 failed authentications a minute from the client's address, with " +
    "`Retry-After`); every operation may answer 500 (`A server error occurred.`) and 503 (an invalid " +
    "`BOOTSTRAP_TOKEN`); operations with a body also 400 (malformed JSON, not UTF-8, not an object, invalid fields; " +
    "strings with lone surrogates, integers beyond ±(2^53 - 1) that a double would round, and numbers that overflow " +
    "or underflow are malformed), 413 (over 1 MiB) and 415 (not JSON). A method a path does not list answers 405 " +
    '(`GenericError`, `Method "X" not allowed.`), an unknown path 404 (`Not found.`), HEAD is GET without a body ' +
    "and without its side effects, OPTIONS answers 204 with `Allow` (the path's methods; HEAD where GET exists).",
  DIFFERENCES,
].join("\n\n");
