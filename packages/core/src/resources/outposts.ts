import type { Outpost, OutpostRequest, PatchedOutpostRequest } from "../outposts.ts";
import { resource } from "./descriptor.ts";

export const outposts = resource<Outpost, OutpostRequest, PatchedOutpostRequest>()({
  model: "authentik_outposts.outpost",
  path: "outposts/instances/",
  aliases: [],
  key: { name: "uuid", kind: "uuid" },
  filters: {
    name__iexact: { type: "string" },
    name__icontains: { type: "string" },
    providers__isnull: { type: "boolean" },
    providers_by_pk: { type: "integer", repeatable: true },
  },
  ordering: ["pk", "name", "type"],
  search: true,
  standard: ["list", "create", "retrieve", "update", "partialUpdate", "destroy", "usedBy"],
  operations: {},
});
