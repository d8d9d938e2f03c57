import { errors, operationPath, RESOURCES } from "@rac-edge/core";
import { json } from "../http/responses.ts";
import { type Context, prefetching, type RequestContext, type Routes } from "../http/router.ts";
import { runPlan } from "../repositories/d1.ts";
import { type EventRow, eventByKey, eventFilters, eventFromRow, eventList } from "../repositories/events.ts";
import { listFilters } from "../repositories/filters.ts";
import { planListPage } from "../repositories/lists.ts";

const MODEL = "authentik_events.event" as const;

const planList = ({ db, url, knownKey }: RequestContext, visible: string[] | null = null) => {
  const { where } = listFilters(eventFilters, url, db);
  // The counter row counts every event: it answers the count only when no filter applies.
  const count = where.length === 0 ? eventList.total : undefined;
  return planListPage<EventRow>(db, url, eventList, { filters: where, visible, guard: knownKey, count });
};

/** Superusers and global `view_event` holders read the page with the authentication; others their granted events. */
const list = prefetching(planList, async (context: Context, prefetched) => {
  const visible = await context.access.visible(MODEL);
  const page = await (visible === null ? prefetched() : runPlan(context.db, planList(context, visible)));
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
