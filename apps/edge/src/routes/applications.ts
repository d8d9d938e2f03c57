import {
  type Application,
  type ApplicationRequest,
  ApplicationRequestSchema,
  ApplicationSchema,
  type PatchedApplicationRequest,
  PatchedApplicationRequestSchema,
} from "@rac-edge/core";
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

export const applicationRoutes = crudRoutes<Application, ApplicationRequest, PatchedApplicationRequest>({
  model: "authentik_core.application",
  path: "/api/v3/core/applications/",
  list: applicationList,
  fromRow: applicationFromRow,
  filters: (url) =>
    Object.entries(FILTERS)
      .filter(([field]) => url.searchParams.has(field))
      .map(([field, column]) => condition(`${column} = ?`, url.searchParams.get(field))),
  row: { table: "applications", column: "uuid" },
  byKey: applicationByKey,
  createSchema: ApplicationRequestSchema,
  patchSchema: PatchedApplicationRequestSchema,
  schema: ApplicationSchema,
  doc: {
    noun: "application",
    key: { name: "slug", type: "string", description: "The application's slug." },
    filters: (["name", "slug", "group"] as const).map((name) => ({
      name,
      type: "string" as const,
      description: `Exact ${name}.`,
    })),
    notes: { create: "One application per provider; `provider` must be a RAC provider." },
  },
  refs: (input) => [
    { field: "provider", table: "providers", column: "id", ids: input.provider == null ? [] : [input.provider] },
  ],
  create: ({ db }, input) => insertApplication(db, input),
  update: ({ db }, current, input) => updateApplication(db, current.pk, input),
  remove: ({ db }, current) => deleteApplication(db, current.pk),
});
