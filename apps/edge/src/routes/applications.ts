import { RESOURCES } from "@rac-edge/core";
import { crudRoutes } from "../http/crud.ts";
import { condition } from "../lists.ts";
import {
  applicationByKey,
  applicationFromRow,
  applicationList,
  deleteApplication,
  insertApplication,
  updateApplication,
} from "../repositories/applications.ts";

/** Exact filters on these columns; `group` needs quoting in SQL. */
const FILTERS = { name: "a.name", slug: "a.slug", group: 'a."group"' } as const;

export const applicationRoutes = crudRoutes(RESOURCES.applications, {
  list: applicationList,
  fromRow: applicationFromRow,
  filters: (url) =>
    Object.entries(FILTERS)
      .filter(([field]) => url.searchParams.has(field))
      .map(([field, column]) => condition(`${column} = ?`, url.searchParams.get(field))),
  row: { table: "applications", column: "uuid" },
  byKey: applicationByKey,
  refs: (input) => [
    { field: "provider", table: "providers", column: "id", ids: input.provider == null ? [] : [input.provider] },
  ],
  create: ({ db }, input) => insertApplication(db, input),
  update: ({ db }, current, input) => updateApplication(db, current.pk, input),
  remove: ({ db }, current) => deleteApplication(db, current.pk),
});
