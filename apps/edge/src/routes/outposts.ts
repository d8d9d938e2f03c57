import { RESOURCES } from "@rac-edge/core";
import { crudRoutes } from "../http/crud.ts";
import { filtering } from "../repositories/filters.ts";
import {
  deleteOutpost,
  insertOutpost,
  outpostByKey,
  outpostFilters,
  outpostFromRow,
  outpostList,
  updateOutpost,
} from "../repositories/outposts.ts";

export const outpostRoutes = crudRoutes(RESOURCES.outposts, {
  list: outpostList,
  fromRow: outpostFromRow,
  filters: filtering(outpostFilters),
  row: { table: "outposts", column: "uuid" },
  byKey: outpostByKey,
  refs: (input) => [{ field: "providers", table: "providers", column: "id", ids: input.providers ?? [] }],
  create: ({ db }, input) => insertOutpost(db, input),
  update: ({ db }, current, input) => updateOutpost(db, current.pk, input),
  remove: ({ db }, current) => deleteOutpost(db, current),
});
