import { RESOURCES } from "@rac-edge/core";
import { crudRoutes } from "../http/crud.ts";
import { condition } from "../lists.ts";
import { deleteFlow, flowByKey, flowFromRow, flowList, insertFlow, updateFlow } from "../repositories/flows.ts";

export const flowRoutes = crudRoutes(RESOURCES.flows, {
  list: flowList,
  fromRow: flowFromRow,
  filters: (url) =>
    (["slug", "name", "designation"] as const)
      .filter((field) => url.searchParams.has(field))
      .map((field) => condition(`f.${field} = ?`, url.searchParams.get(field))),
  row: { table: "flows", column: "uuid" },
  byKey: flowByKey,
  create: ({ db }, input) => insertFlow(db, input),
  update: ({ db }, current, input) => updateFlow(db, current, input),
  remove: ({ db }, current) => deleteFlow(db, current),
});
