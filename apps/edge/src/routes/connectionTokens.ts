import {
  type ConnectionToken,
  ConnectionTokenRequestSchema,
  codename,
  errors,
  type FieldErrors,
  type ModelName,
  normalizeUuid,
  type PatchedConnectionTokenRequest,
  PatchedConnectionTokenRequestSchema,
} from "@rac-edge/core";
import type * as v from "valibot";
import { clock } from "../clock.ts";
import { readBody } from "../http/body.ts";
import { json, noContent } from "../http/responses.ts";
import type { Context, Handler, Routes } from "../http/router.ts";
import { type Condition, condition, listPage } from "../lists.ts";
import { requireRefs } from "../refs.ts";
import {
  type ConnectionTokenRow,
  connectionTokenFromRow,
  connectionTokenList,
  deleteConnectionToken,
  endpointProvider,
  existingFilterTargets,
  findConnectionToken,
  live,
  moveConnectionToken,
} from "../repositories/connectionTokens.ts";
import { usedByHandler } from "../usedBy.ts";

const MODEL: ModelName = "authentik_providers_rac.connectiontoken";
const PATH = "/api/v3/rac/connection_tokens/";
const INVALID_CHOICE = "Select a valid choice. That choice is not one of the available choices.";

/**
 * `endpoint`, `provider` and `session__user` filters. As django-filter's ModelChoiceFilter, a
 * malformed or unknown id is a 400 (checked in one batch), an empty value no filter.
 */
async function listFilters(url: URL, db: D1Database): Promise<Condition[]> {
  const query = url.searchParams;
  const given = (name: string) => query.get(name)?.trim() || undefined;
  const fields: FieldErrors = {};
  const targets: { endpoint?: string; provider?: number; user?: number } = {};
  const endpoint = given("endpoint");
  if (endpoint !== undefined) {
    const uuid = normalizeUuid(endpoint);
    if (uuid === null) fields.endpoint = [INVALID_CHOICE];
    else targets.endpoint = uuid;
  }
  for (const [name, target] of [
    ["provider", "provider"],
    ["session__user", "user"],
  ] as const) {
    const value = given(name);
    if (value === undefined) continue;
    if (/^\d{1,15}$/.test(value)) targets[target] = Number(value);
    else fields[name] = [INVALID_CHOICE];
  }
  const found = await existingFilterTargets(db, targets);
  if (!found.endpoint) fields.endpoint = [INVALID_CHOICE];
  if (!found.provider) fields.provider = [INVALID_CHOICE];
  if (!found.user) fields.session__user = [INVALID_CHOICE];
  if (Object.keys(fields).length > 0) throw errors.validation(fields);
  const filters: Condition[] = [];
  if (targets.endpoint !== undefined) filters.push(condition("t.endpoint_id = ?", targets.endpoint));
  if (targets.provider !== undefined) filters.push(condition("t.provider_id = ?", targets.provider));
  if (targets.user !== undefined) filters.push(condition("t.user_id = ?", targets.user));
  return filters;
}

/** Owners always see their tokens; others need the view grant (global or on the token). */
async function visibility({ access, caller }: Context): Promise<Condition[]> {
  const granted = await access.visible(MODEL);
  if (granted === null) return [];
  return [condition("(t.user_id = ? OR t.uuid IN (SELECT value FROM json_each(?)))", caller.userId, JSON.stringify(granted))];
}

const list: Handler = async (context) => {
  const { db, url } = context;
  const filters = [...(await listFilters(url, db)), live(clock.now()), ...(await visibility(context))];
  const page = await listPage<ConnectionTokenRow>(db, url, connectionTokenList, filters, null);
  return json({ pagination: page.pagination, results: page.rows.map(connectionTokenFromRow) });
};

/** A live token the caller may see; anything else is 404, as authentik's filtered querysets. */
async function visibleToken({ db, params, access, caller }: Context): Promise<ConnectionToken> {
  const token = await findConnectionToken(db, params.key!, clock.now());
  if (token === null) throw errors.notFound();
  if (token.user.pk !== caller.userId && !(await access.has(codename(MODEL, "view"), token.pk))) throw errors.notFound();
  return token;
}

const retrieve: Handler = async (context) => json(await visibleToken(context));

/**
 * PUT/PATCH: `pk` may only repeat the path's (authentik would silently copy the row), the ids must
 * exist, and the endpoint must belong to the provider. Then one conditional UPDATE.
 */
const update =
  (schema: v.GenericSchema<unknown, PatchedConnectionTokenRequest>): Handler =>
  async (context) => {
    const { db, request, access } = context;
    const current = await visibleToken(context);
    await access.require(MODEL, "change", current.pk);
    const input = await readBody(request, schema);
    if (input.pk !== undefined && normalizeUuid(input.pk) !== current.pk) {
      throw errors.field("pk", `pk is read-only: omit it or send this token's pk "${current.pk}".`);
    }
    await requireRefs(db, [
      { field: "provider", table: "providers", column: "id", ids: input.provider === undefined ? [] : [input.provider] },
      { field: "endpoint", table: "endpoints", column: "uuid", ids: input.endpoint === undefined ? [] : [input.endpoint] },
    ]);
    const provider = input.provider ?? current.provider;
    const endpoint = input.endpoint ?? current.endpoint;
    if ((await endpointProvider(db, endpoint)) !== provider) throw errors.field("endpoint", "This endpoint does not belong to the selected provider.");
    return json(await moveConnectionToken(db, current.pk, provider, endpoint, clock.now()));
  };

/** Owners may always delete (revoke) their tokens; others need the delete grant. */
const remove: Handler = async (context) => {
  const { db, access, caller } = context;
  const current = await visibleToken(context);
  if (current.user.pk !== caller.userId) await access.require(MODEL, "delete", current.pk);
  await deleteConnectionToken(db, current.pk);
  return noContent();
};

/** No POST: tokens are created only by a launch (`POST /rac/endpoints/{pk}/launch/`). */
export const connectionTokenRoutes: Routes = {
  [PATH]: { GET: list },
  [`${PATH}:key/`]: { GET: retrieve, PUT: update(ConnectionTokenRequestSchema), PATCH: update(PatchedConnectionTokenRequestSchema), DELETE: remove },
  [`${PATH}:key/used_by/`]: { GET: usedByHandler(MODEL, (db, key) => findConnectionToken(db, key, clock.now())) },
};
