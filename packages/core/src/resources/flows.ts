import { FLOW_DESIGNATIONS } from "../choices.ts";
import type { Flow, FlowRequest } from "../flows.ts";
import { resource } from "./descriptor.ts";

export const flows = resource<Flow, FlowRequest, Partial<FlowRequest>>()({
  model: "authentik_flows.flow",
  path: "flows/instances/",
  aliases: [],
  key: { name: "slug", kind: "string" },
  filters: {
    slug: { type: "string" },
    name: { type: "string" },
    designation: { type: "string", enum: FLOW_DESIGNATIONS },
  },
  ordering: ["pk", "slug", "name", "title", "designation"],
  search: true,
  standard: ["list", "create", "retrieve", "update", "partialUpdate", "destroy", "usedBy"],
  operations: {},
});
