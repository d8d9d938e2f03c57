import {
  type Application,
  type ApplicationRequest,
  ApplicationRequestSchema,
  ApplicationSchema,
  type PatchedApplicationRequest,
  PatchedApplicationRequestSchema,
} from "@rac-edge/core";
import { crudRoutes } from "../http/crud.ts";
import {
  type ApplicationRow,
  applicationByKey,
  applicationFilters,
  applicationFromRow,
  applicationList,
  deleteApplication,
  insertApplication,
  updateApplication,
} from "../repositories/applications.ts";
import { filtering } from "../repositories/filters.ts";

export const applicationRoutes = crudRoutes<Application, ApplicationRequest, PatchedApplicationRequest, ApplicationRow>(
  {
    model: "authentik_core.application",
    path: "/api/v3/core/applications/",
    list: applicationList,
    fromRow: applicationFromRow,
    filters: filtering(applicationFilters),
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
  },
);
