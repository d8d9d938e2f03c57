import {
  type ConnectionToken,
  ConnectionTokenRequestSchema,
  codename,
  errors,
  type FieldErrors,
  MESSAGES,
  type ModelName,
  normalizeUuid,
  type PatchedConnectionTokenRequest,
  PatchedConnectionTokenRequestSchema,
  RESOURCES,
} from "@rac-edge/core";
import type * as v from "valibot";
import { clock } from "../clock.ts";
import { check, readObject, throwFieldErrors } from "../http/body.ts";
import { precondition } from "../http/crud.ts";
import { taggedJson } from "../http/etag.ts";
import { json, noContent } from "../http/responses.ts";
import { type Context, type Handler, prefetching, type RequestContext, type Routes } from "../http/router.ts";
import { type Condition, type Precheck, planListPage } from "../lists.ts";
import { missingRefs, newRefs, type Ref } from "../refs.ts";
import {
  type ConnectionTokenRow,
  connectionTokenByKey,
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
import { runReads } from "../repositories/d1.ts";
import { mayLaunch } from "../repositories/permissions.ts";
import { isPreconditionFailure } from "../repositories/preconditions.ts";
import { presentedToken } from "../secretSettings.ts";
import { usedByHandler } from "../usedBy.ts";

const MODEL: ModelName = "authentik_providers_rac.connectiontoken";
const PATH = `/api/v3/${RESOURCES.connectionTokens.path}`;

/**
 * `endpoint`, `provider` and `session__user` filters. As django-filter's ModelChoiceFilter, a
 * malformed or unknown id is a 400, an empty value no filter. Whether the ids exist is asked in the
 * list's own batch (the precheck), which answers the malformed ones and the unknown ones together.
 */
type ListFilters = { filters: Condition[]; precheck: Precheck; count?: Condition };

function listFilters(url: URL, db: D1Database, restricted: boolean): ListFilters {
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
    if (/^\d{1,15}$/.test(value)) targets[target] = Number(value);
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
  const filters = filterConditions(targets, restricted);
  return { filters, precheck: { statements: checks.statements, verify }, count: liveCountOf(targets, clock.now()) };
}

/** Owners always see their tokens; others need the view grant (global or on the token). */
async function visibility({ access, caller }: Context): Promise<Condition[]> {
  const granted = await access.visible(MODEL);
  if (granted === null) return [];
  return [visibleTokens(caller.userId, granted)];
}

/** The page as a caller who may see every token would get it, or with the caller's `visibility`. */
const planList = ({ db, url, knownKey }: RequestContext, visibility: Condition[] = []) => {
  const { filters, precheck, count } = listFilters(url, db, visibility.length > 0);
  // A caller limited by `visibility` has their own count: their tokens and grants, read by key.
  return planListPage<ConnectionTokenRow>(db, url, connectionTokenList, {
    filters: [...filters, live(clock.now()), ...visibility],
    precheck,
    guard: knownKey,
    count: visibility.length === 0 ? count : undefined,
  });
};

/** Most callers see every token (superusers, global grants): the page read with the authentication is theirs. */
const list = prefetching(planList, async (context, prefetched) => {
  const restricted = await visibility(context);
  const page = await (restricted.length === 0 ? prefetched() : runReads(context.db, planList(context, restricted)));
  const tokens = connectionTokenPage(page.rows, page.related);
  const results = await Promise.all(tokens.map((token) => presentedToken(context.access, token)));
  return json({ pagination: page.pagination, results });
});

/** The live token the path names (planned: it rides in the authentication's batch). */
const byKey = ({ db, params }: RequestContext) => connectionTokenByKey(db, params.key!, clock.now());

/** The token if the caller may see it; anything else is 404, as authentik's filtered querysets. */
async function visibleToken({ access, caller }: Context, token: ConnectionToken | null): Promise<ConnectionToken> {
  if (token === null) throw errors.notFound();
  if (token.user.pk !== caller.userId && !(await access.has(codename(MODEL, "view"), token.pk)))
    throw errors.notFound();
  return token;
}

const retrieve = prefetching(byKey, async (context, found) => {
  const token = await visibleToken(context, found());
  return taggedJson(context.request, await presentedToken(context.access, token));
});

/** How If-Match finds the token again and which row's version its writes are conditional on. */
const versioned = {
  row: { table: "connection_tokens", column: "uuid" },
  byKey: (db: D1Database, key: string) => connectionTokenByKey(db, key, clock.now()),
};

/** A guarded write whose row changed since the comparison: the client's 412. */
async function conditionally<T>(write: Promise<T>): Promise<T> {
  try {
    return await write;
  } catch (error) {
    throw isPreconditionFailure(error) ? errors.preconditionFailed() : error;
  }
}

/** The references a token's provider and endpoint make, for requireRefs. */
const tokenRefs = (provider: number | undefined, endpoint: string | undefined): Ref[] => [
  { field: "provider", table: "providers", column: "id", ids: provider === undefined ? [] : [provider] },
  { field: "endpoint", table: "endpoints", column: "uuid", ids: endpoint === undefined ? [] : [endpoint] },
];

/** Moved for someone else: they must be able to launch there themselves (what a launch needs). */
async function requireOwnerMayLaunch(context: Context, current: ConnectionToken, endpoint: string) {
  const { db, caller } = context;
  if (endpoint === current.endpoint || current.user.pk === caller.userId) return;
  if (!(await mayLaunch(db, current.user.pk, endpoint))) {
    throw errors.field("endpoint", "The token's user may not launch this endpoint (no view permission on it).");
  }
}

/**
 * PUT/PATCH: `pk` may only repeat the path's (authentik would silently copy the row), the ids must
 * exist, and the endpoint must belong to the provider. Then one conditional UPDATE.
 */
const update = (schema: v.GenericSchema<unknown, PatchedConnectionTokenRequest>): Handler =>
  prefetching(byKey, async (context, found) => {
    const { db, request, access } = context;
    const current = await visibleToken(context, found());
    await access.require(MODEL, "change", current.pk);
    const written = await precondition(context, versioned, current, (token) => presentedToken(access, token));
    const { input, errors: fieldErrors } = check(schema, await readObject(request));
    const pkErrors: FieldErrors =
      input.pk !== undefined && normalizeUuid(input.pk) !== current.pk
        ? { pk: [`pk is read-only: omit it or send this token's pk "${current.pk}".`] }
        : {};
    // Every problem of the body in one 400: formats, the pk, unknown references. What the token
    // already points at needs no check; a new target must be one the caller may view.
    const refs = newRefs(tokenRefs(input.provider, input.endpoint), tokenRefs(current.provider, current.endpoint));
    throwFieldErrors(fieldErrors, pkErrors, await missingRefs(db, refs, access));
    const provider = input.provider ?? current.provider;
    const endpoint = input.endpoint ?? current.endpoint;
    if ((await endpointProvider(db, endpoint)) !== provider)
      throw errors.field("endpoint", "This endpoint does not belong to the selected provider.");
    await requireOwnerMayLaunch(context, current, endpoint);
    const moved = await conditionally(moveConnectionToken(written, current.pk, provider, endpoint, clock.now()));
    return taggedJson(null, await presentedToken(access, moved));
  });

/** Owners may always delete (revoke) their tokens; others need the delete grant. */
const remove = prefetching(byKey, async (context, found) => {
  const { access, caller } = context;
  const current = await visibleToken(context, found());
  if (current.user.pk !== caller.userId) await access.require(MODEL, "delete", current.pk);
  const written = await precondition(context, versioned, current, (token) => presentedToken(access, token));
  await conditionally(deleteConnectionToken(written, current.pk));
  return noContent();
});

/** No POST: tokens are created only by a launch (`POST /rac/endpoints/{pk}/launch/`). */
export const connectionTokenRoutes: Routes = {
  [PATH]: { GET: list },
  [`${PATH}:key/`]: {
    GET: retrieve,
    PUT: update(ConnectionTokenRequestSchema),
    PATCH: update(PatchedConnectionTokenRequestSchema),
    DELETE: remove,
  },
  [`${PATH}:key/used_by/`]: {
    GET: usedByHandler(MODEL, (db, key) => connectionTokenByKey(db, key, clock.now())),
  },
};
