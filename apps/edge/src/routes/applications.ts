import { RESOURCES } from "@rac-edge/core";
import { crudRoutes } from "../http/crud.ts";
import {
  applicationByKey,
  applicationFilters,
  applicationFromRow,
  applicationList,
  deleteApplication,
  insertApplication,
  updateApplication,
} from "../repositories/applications.ts";
import { filtering } from "../repositories/filters.ts";

export const applicationRoutes = crudRoutes(RESOURCES.applications, {
  list: applicationList,
  fromRow: applicationFromRow,
  filters: filtering(applicationFilters),
  row: { table: "applications", column: "uuid" },
  byKey: applicationByKey,
  refs: (input) => [
    { field: "provider", table: "providers", column: "id", ids: input.provider == null ? [] : [input.provider] },
  ],
  create: ({ db }, input) => insertApplication(db, input),
  update: ({ db }, current, input) => updateApplication(db, current.pk, input),
  remove: ({ db }, current) => deleteApplication(db, current.pk),
});
