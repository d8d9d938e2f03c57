import { type Flow, type FlowRequest, FlowRequestSchema, PatchedFlowRequestSchema } from "@rac-edge/core";
import { crudRoutes } from "../http/crud.ts";
import { condition } from "../lists.ts";
import { deleteFlow, findFlow, flowFromRow, flowList, insertFlow, updateFlow } from "../repositories/flows.ts";

export const flowRoutes = crudRoutes<Flow, FlowRequest, Partial<FlowRequest>>({
  model: "authentik_flows.flow",
  path: "/api/v3/flows/instances/",
  list: flowList,
  fromRow: flowFromRow,
  filters: (url) =>
    (["slug", "name", "designation"] as const)
      .filter((field) => url.searchParams.has(field))
      .map((field) => condition(`f.${field} = ?`, url.searchParams.get(field))),
  find: findFlow,
  createSchema: FlowRequestSchema,
  patchSchema: PatchedFlowRequestSchema,
  create: ({ db }, input) => insertFlow(db, input),
  update: ({ db }, current, input) => updateFlow(db, current, input),
  remove: ({ db }, current) => deleteFlow(db, current),
});
