import { EVENT_ACTIONS, EventSchema, errors } from "@rac-edge/core";
import { json } from "../http/responses.ts";
import { type Context, prefetching, type RequestContext, type Routes } from "../http/router.ts";
import { documented } from "../openapi/operation.ts";
import { listParams } from "../openapi/standard.ts";
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

const FILTERS = [
  { name: "action", type: "string", enum: EVENT_ACTIONS, description: "Exact action." },
  { name: "username", type: "string", description: "Exact username of the event's user." },
  { name: "client_ip", type: "string", description: "Exact client address (`CF-Connecting-IP`)." },
  { name: "context_model_app", type: "string", description: "Exact `context.model.app` (`authentik_providers_rac`)." },
  { name: "context_model_name", type: "string", description: "Exact `context.model.model_name` (`endpoint`)." },
  { name: "context_model_pk", type: "string", description: "The object's pk; dashes of a uuid are ignored." },
  { name: "context_authorized_app", type: "string", description: "The launched application's uuid." },
] as const;

const NOTE = [
  "The audit trail: each event is written in the same D1 batch as the change it records,",
  "so an event exists if and only if its change happened. Visible to superusers and holders of",
  "`authentik_events.view_event` (globally, or per event). Events expire after `EVENTS_RETENTION_DAYS`",
  "(default 90) and are swept by the Cron Trigger. Secrets never appear in `context`.",
].join(" ");

export const eventRoutes: Routes = {
  "/api/v3/events/events/": {
    GET: documented(
      {
        summary: "List events",
        description: `${NOTE} Newest first by default.`,
        query: listParams(Object.keys(eventList.ordering), [...FILTERS]),
        success: { status: 200, description: "A page of events.", schema: EventSchema, shape: "page" },
        errors: { 404: "`Invalid page.`" },
      },
      list,
    ),
  },
  "/api/v3/events/events/:key/": {
    GET: documented(
      {
        summary: "Retrieve an event",
        description: NOTE,
        path: { key: { name: "event_uuid", type: "uuid", description: "The event's uuid." } },
        success: { status: 200, description: "The event.", schema: EventSchema },
        errors: { 404: "No such event, or the caller may not view it." },
      },
      retrieve,
    ),
  },
};
