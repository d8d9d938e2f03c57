import { EVENT_ACTIONS } from "../choices.ts";
import type { Event } from "../events.ts";
import { resource } from "./descriptor.ts";

/** The audit trail: read only. */
export const events = resource<Event>()({
  model: "authentik_events.event",
  path: "events/events/",
  aliases: [],
  key: { name: "event_uuid", kind: "uuid" },
  filters: {
    action: { type: "string", enum: EVENT_ACTIONS },
    username: { type: "string" },
    client_ip: { type: "string" },
    context_model_app: { type: "string" },
    context_model_name: { type: "string" },
    context_model_pk: { type: "string" },
    context_authorized_app: { type: "string" },
  },
  ordering: ["created", "action", "app", "client_ip", "user", "context"],
  search: true,
  standard: ["list", "retrieve"],
  operations: {},
});
