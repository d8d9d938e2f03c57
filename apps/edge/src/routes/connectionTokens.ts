import {
  type ConnectionToken,
  codename,
  errors,
  type FieldErrors,
  MESSAGES,
  type ModelName,
  normalizeUuid,
  type PatchedConnectionTokenRequest,
  parseIntegerKey,
  RESOURCES,
} from "@rac-edge/core";
import { clock } from "../clock.ts";
import { crudRoutes, type Ownership } from "../http/crud.ts";
import type { Context } from "../http/router.ts";
import type { Ref } from "../refs.ts";
import {
  connectionTokenByKey,
  connectionTokenFromRow,
  connectionTokenList,
  connectionTokenPage,
  deleteConnectionToken,
  endpointProvider,
  type FilterTargets,
  filterConditions,
  filterTargetChecks,
  live,
  liveCountOf,
  moveConnectionToken,
  visibleTokens,
} from "../repositories/connectionTokens.ts";
import type { ListFilters } from "../repositories/filters.ts";
import { mayLaunch } from "../repositories/permissions.ts";
import { presentedToken } from "../secretSettings.ts";

const MODEL: ModelName = "authentik_providers_rac.connectiontoken";

/** Owners always see and delete (revoke) their tokens; changing them takes the grant. */
const OWNER: Ownership<ConnectionToken> = {
  permissions: new Set([codename(MODEL, "view"), codename(MODEL, "delete")]),
  ownerOf: (token) => token.user.pk,
  visible: visibleTokens,
};

/**
 * `endpoint`, `provider` and `session__user` filters. As django-filter's ModelChoiceFilter, a
 * malformed or unknown id is a 400, an empty value no filter. Whether the ids exist is asked in the
 * list's own batch (the precheck), which answers the malformed ones and the unknown ones together.
 * Expired tokens are never listed.
 */
function listFilters(url: URL, db: D1Database, limited: boolean): ListFilters {
  const query = url.searchParams;
  const given = (name: string) => query.get(name)?.trim() || undefined;
  const fields: FieldErrors = {};
  const targets: FilterTargets = {};
  const endpoint = given("endpoint");
  if (endpoint !== undefined) {
    const uuid = normalizeUuid(endpoint);
    if (uuid === null) fields.endpoint = [MESSAGES.filterChoice];
    else targets.endpoint = uuid;
  }
  for (const [name, target] of [
    ["provider", "provider"],
    ["session__user", "user"],
  ] as const) {
    const value = given(name);
    if (value === undefined) continue;
    const id = parseIntegerKey(value);
    if (id !== null) targets[target] = id;
    else fields[name] = [MESSAGES.filterChoice];
  }
  const checks = filterTargetChecks(db, targets);
  const verify = (results: D1Result[]) => {
    const found = checks.found(results);
    if (!found.endpoint) fields.endpoint = [MESSAGES.filterChoice];
    if (!found.provider) fields.provider = [MESSAGES.filterChoice];
    if (!found.user) fields.session__user = [MESSAGES.filterChoice];
    if (Object.keys(fields).length > 0) throw errors.validation(fields);
  };
  const now = clock.now();
  return {
    where: [...filterConditions(targets, limited), live(now)],
    precheck: { statements: checks.statements, verify },
    count: liveCountOf(targets, now),
  };
}

/** The references a token's provider and endpoint make. */
const tokenRefs = (provider: number | undefined, endpoint: string | undefined): Ref[] => [
  { field: "provider", table: "providers", column: "id", ids: provider === undefined ? [] : [provider] },
  { field: "endpoint", table: "endpoints", column: "uuid", ids: endpoint === undefined ? [] : [endpoint] },
];

/** Moved for someone else: they must be able to launch there themselves (what a launch needs). */
async function requireOwnerMayLaunch({ db, caller }: Context, current: ConnectionToken, endpoint: string) {
  if (endpoint === current.endpoint || current.user.pk === caller.userId) return;
  if (!(await mayLaunch(db, current.user.pk, endpoint))) {
    throw errors.field("endpoint", "The token's user may not launch this endpoint (no view permission on it).");
  }
}

/**
 * PUT/PATCH: `pk` may only repeat the path's (authentik would silently copy the row), the ids must
 * exist, and the endpoint must belong to the provider. Then one conditional UPDATE.
 */
async function moveToken(context: Context, current: ConnectionToken, input: PatchedConnectionTokenRequest) {
  const provider = input.provider ?? current.provider;
  const endpoint = input.endpoint ?? current.endpoint;
  if ((await endpointProvider(context.db, endpoint)) !== provider)
    throw errors.field("endpoint", "This endpoint does not belong to the selected provider.");
  await requireOwnerMayLaunch(context, current, endpoint);
  return moveConnectionToken(context.db, current.pk, provider, endpoint, clock.now());
}

/** No POST: tokens are created only by a launch (`POST /rac/endpoints/{pk}/launch/`). */
export const connectionTokenRoutes = crudRoutes(RESOURCES.connectionTokens, {
  list: connectionTokenList,
  fromRow: connectionTokenFromRow,
  fromPage: connectionTokenPage,
  owner: OWNER,
  filters: listFilters,
  row: { table: "connection_tokens", column: "uuid" },
  byKey: (db, key) => connectionTokenByKey(db, key, clock.now()),
  // What the token already points at needs no check; a new target must be one the caller may view.
  refs: (input) => tokenRefs(input.provider, input.endpoint),
  fieldErrors: (input, current): FieldErrors =>
    input.pk !== undefined && normalizeUuid(input.pk) !== current.pk
      ? { pk: [`pk is read-only: omit it or send this token's pk "${current.pk}".`] }
      : {},
  present: (context, token) => presentedToken(context.access, token),
  update: moveToken,
  remove: ({ db }, current) => deleteConnectionToken(db, current.pk),
});
