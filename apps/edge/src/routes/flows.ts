import {
  FLOW_DESIGNATIONS,
  type Flow,
  type FlowRequest,
  FlowRequestSchema,
  FlowSchema,
  PatchedFlowRequestSchema,
} from "@rac-edge/core";
import { crudRoutes } from "../http/crud.ts";
import { filtering } from "../repositories/filters.ts";
import {
  deleteFlow,
  type FlowRow,
  flowByKey,
  flowFilters,
  flowFromRow,
  flowList,
  insertFlow,
  updateFlow,
} from "../repositories/flows.ts";

export const flowRoutes = crudRoutes<Flow, FlowRequest, Partial<FlowRequest>, FlowRow>({
  model: "authentik_flows.flow",
  path: "/api/v3/flows/instances/",
  list: flowList,
  fromRow: flowFromRow,
  filters: filtering(flowFilters),
  row: { table: "flows", column: "uuid" },
  byKey: flowByKey,
  createSchema: FlowRequestSchema,
  patchSchema: PatchedFlowRequestSchema,
  schema: FlowSchema,
  doc: {
    noun: "flow",
    key: { name: "slug", type: "string", description: "The flow's slug." },
    filters: [
      { name: "slug", type: "string", description: "Exact slug." },
      { name: "name", type: "string", description: "Exact name." },
      { name: "designation", type: "string", enum: FLOW_DESIGNATIONS, description: "Exact designation." },
    ],
    notes: { list: "rac-edge keeps the subset of authentik's flow that RAC providers reference." },
    deleteRefused:
      "The flow is the `authorization_flow` of a provider: rac-edge refuses the delete while providers use it (authentik deletes those providers).",
  },
  create: ({ db }, input) => insertFlow(db, input),
  update: ({ db }, current, input) => updateFlow(db, current, input),
  remove: ({ db }, current) => deleteFlow(db, current),
});
