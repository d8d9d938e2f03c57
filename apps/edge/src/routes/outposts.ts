import {
  type Outpost,
  type OutpostRequest,
  OutpostRequestSchema,
  OutpostSchema,
  type PatchedOutpostRequest,
  PatchedOutpostRequestSchema,
} from "@rac-edge/core";
import { crudRoutes } from "../http/crud.ts";
import { filtering } from "../repositories/filters.ts";
import {
  deleteOutpost,
  insertOutpost,
  type OutpostRow,
  outpostByKey,
  outpostFilters,
  outpostFromRow,
  outpostList,
  updateOutpost,
} from "../repositories/outposts.ts";

export const outpostRoutes = crudRoutes<Outpost, OutpostRequest, PatchedOutpostRequest, OutpostRow>({
  model: "authentik_outposts.outpost",
  path: "/api/v3/outposts/instances/",
  list: outpostList,
  fromRow: outpostFromRow,
  filters: filtering(outpostFilters),
  row: { table: "outposts", column: "uuid" },
  byKey: outpostByKey,
  createSchema: OutpostRequestSchema,
  patchSchema: PatchedOutpostRequestSchema,
  schema: OutpostSchema,
  doc: {
    noun: "outpost",
    key: { name: "uuid", type: "uuid", description: "The outpost's uuid." },
    filters: [
      { name: "name__iexact", type: "string", description: "Exact name, case-insensitive." },
      { name: "name__icontains", type: "string", description: "Part of the name, case-insensitive." },
      { name: "providers__isnull", type: "boolean", description: "`true`: outposts without providers." },
      {
        name: "providers_by_pk",
        type: "integer",
        repeatable: true,
        description: "Outposts serving any of these providers; an unknown id is a 400.",
      },
    ],
    notes: {
      create:
        "Only RAC outposts. Each outpost gets its own API token (`token_identifier`, key readable once through `/core/tokens/{identifier}/view_key/`), which the gateway routes accept.",
    },
  },
  refs: (input) => [{ field: "providers", table: "providers", column: "id", ids: input.providers ?? [] }],
  create: ({ db }, input) => insertOutpost(db, input),
  update: ({ db }, current, input) => updateOutpost(db, current.pk, input),
  remove: ({ db }, current) => deleteOutpost(db, current),
});
