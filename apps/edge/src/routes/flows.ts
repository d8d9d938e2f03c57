import { RESOURCES } from "@rac-edge/core";
import { crudRoutes } from "../http/crud.ts";
import { filtering } from "../repositories/filters.ts";
import {
  deleteFlow,
  flowByKey,
  flowFilters,
  flowFromRow,
  flowList,
  insertFlow,
  updateFlow,
} from "../repositories/flows.ts";

export const flowRoutes = crudRoutes(RESOURCES.flows, {
  list: flowList,
  fromRow: flowFromRow,
  filters: filtering(flowFilters),
  row: { table: "flows", column: "uuid" },
  byKey: flowByKey,
  create: ({ db }, input) => insertFlow(db, input),
  update: ({ db }, current, input) => updateFlow(db, current, input),
  remove: ({ db }, current) => deleteFlow(db, current),
});
