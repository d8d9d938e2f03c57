import { errors, operationPath, RESOURCES } from "@rac-edge/core";
import { json } from "../http/responses.ts";
import { type Context, prefetching, type RequestContext, type Routes } from "../http/router.ts";
import { type Condition, condition, planListPage } from "../lists.ts";
import { runReads } from "../repositories/d1.ts";
import { eventByKey, eventFromRow, eventList } from "../repositories/events.ts";

const MODEL = "authentik_events.event" as const;

/** authentik stores uuid pks as hex without dashes and compares integer pks as numbers. */
const pkOf = (value: string) => value.replaceAll("-", "");

/** authentik's EventsFilter: each given parameter is an exact match (empty ones are ignored). */
function filters(url: URL): Condition[] {
  const given = (name: string) => {
    const value = url.searchParams.get(name);
    return value === null || value === "" ? null : value;
  };
  const out: Condition[] = [];
  const add = (name: string, sql: string, map: (value: string) => string = (value) => value) => {
    const value = given(name);
    if (value !== null) out.push(condition(sql, map(value)));
  };
  add("action", "ev.action = ?");
  add("username", "ev.username = ?");
  add("client_ip", "ev.client_ip = ?");
  add("context_model_app", "json_extract(ev.context, '$.model.app') = ?");
  add("context_model_name", "json_extract(ev.context, '$.model.model_name') = ?");
  add("context_model_pk", "CAST(json_extract(ev.context, '$.model.pk') AS TEXT) = ?", pkOf);
  add("context_authorized_app", "json_extract(ev.context, '$.authorized_application.pk') = ?", pkOf);
  return out;
}

const planList = ({ db, url, knownKey }: RequestContext, visible: string[] | null = null) => {
  const where = filters(url);
  // The counter row counts every event: it answers the count only when no filter applies.
  const count = where.length === 0 ? eventList.total : undefined;
  return planListPage<never>(db, url, eventList, { filters: where, visible, guard: knownKey, count });
};

/** Superusers and global `view_event` holders read the page with the authentication; others their granted events. */
const list = prefetching(planList, async (context: Context, prefetched) => {
  const visible = await context.access.visible(MODEL);
  const page = await (visible === null ? prefetched() : runReads(context.db, planList(context, visible)));
  return json({ pagination: page.pagination, results: page.rows.map(eventFromRow) });
});

const retrieve = prefetching(
  ({ db, params }: RequestContext) => eventByKey(db, params.key!),
  async (context, found) => {
    const event = found();
    if (event === null) throw errors.notFound();
    await context.access.requireVisible(MODEL, event.pk);
    return json(event);
  },
);

export const eventRoutes: Routes = {
  [operationPath(RESOURCES.events, "list")]: {
    GET: list,
  },
  [operationPath(RESOURCES.events, "retrieve")]: {
    GET: retrieve,
  },
};
