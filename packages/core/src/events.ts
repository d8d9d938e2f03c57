/**
 * authentik's audit Event as its API answers it, and the actions rac-edge records: authentik's own
 * names where they exist, `rac_*` for the data plane and `permission_*` for RBAC assignments.
 */
import * as v from "valibot";
import { EVENT_ACTIONS } from "./choices.ts";

export type EventAction = (typeof EVENT_ACTIONS)[number];

/** Days an event is kept when the operator sets no `EVENTS_RETENTION_DAYS` (authentik's default). */
export const DEFAULT_EVENT_RETENTION_DAYS = 90;

/** `{pk, username, email}` of who acted; the anonymous user (pk null) when nobody was signed in. */
export const EventUserSchema = v.object({
  pk: v.nullable(v.number()),
  username: v.string(),
  email: v.string(),
});
export type EventUser = v.InferOutput<typeof EventUserSchema>;

/** authentik's `model_to_dict`: what `context.model` (and `context.authorized_application`) hold. */
export const EventModelSchema = v.object({
  app: v.string(),
  model_name: v.string(),
  pk: v.union([v.string(), v.number()]),
  name: v.string(),
});
export type EventModel = v.InferOutput<typeof EventModelSchema>;

export const EventSchema = v.object({
  pk: v.string(),
  user: EventUserSchema,
  action: v.picklist(EVENT_ACTIONS),
  app: v.string(),
  context: v.record(v.string(), v.unknown()),
  client_ip: v.nullable(v.string()),
  created: v.string(),
  expires: v.string(),
  brand: v.null(),
});
export type Event = v.InferOutput<typeof EventSchema>;

/** The user authentik records for what happens without a signed-in user (a failed sign-in). */
export const ANONYMOUS_EVENT_USER: EventUser = { pk: null, username: "AnonymousUser", email: "" };
