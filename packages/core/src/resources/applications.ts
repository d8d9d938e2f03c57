import type { Application, ApplicationRequest, PatchedApplicationRequest } from "../applications.ts";
import { resource } from "./descriptor.ts";

export const applications = resource<Application, ApplicationRequest, PatchedApplicationRequest>()({
  model: "authentik_core.application",
  path: "core/applications/",
  aliases: [],
  key: { name: "slug", kind: "string" },
  filters: { name: { type: "string" }, slug: { type: "string" }, group: { type: "string" } },
  ordering: ["pk", "name", "slug", "group", "meta_publisher", "policy_engine_mode", "open_in_new_tab"],
  search: true,
  standard: ["list", "create", "retrieve", "update", "partialUpdate", "destroy", "usedBy"],
  operations: {},
});
