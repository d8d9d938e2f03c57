/** The documents of the standard operations of a resource (list, CRUD, used_by). */

import type { StandardOperation } from "@rac-edge/core";
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, UsedBySchema } from "@rac-edge/core";
import type * as v from "valibot";
import type { OperationDoc, ParamDoc } from "./operation.ts";

/** What a resource tells the document beyond its schemas. */
export interface ResourceDoc {
  /** The object in prose: "RAC provider". */
  noun: string;
  /** How the document names and types the path key (authentik's names: `id`, `pbm_uuid`, ...). */
  key: ParamDoc;
  /** The list's filters. */
  filters?: ParamDoc[];
  /** Notes per operation: behaviour, and differences from authentik. */
  notes?: Partial<Record<StandardOperation, string>>;
  /** When a DELETE is refused with 400. */
  deleteRefused?: string;
  /** When PUT/PATCH answer 409. */
  updateConflict?: string;
}

export interface StandardSchemas {
  /** The object as answered. */
  schema: v.GenericSchema;
  createSchema?: v.GenericSchema;
  updateSchema: v.GenericSchema;
  patchSchema: v.GenericSchema;
  /** The list's ordering fields. */
  ordering: readonly string[];
}

const join = (...parts: (string | undefined)[]) => parts.filter((part) => part !== undefined && part !== "").join(" ");

/** Query parameters every list takes. */
export function listParams(ordering: readonly string[], filters: readonly ParamDoc[] = []): ParamDoc[] {
  return [
    ...filters,
    {
      name: "ordering",
      type: "string",
      description:
        `Comma-separated fields, \`-\` for descending: ${ordering.map((field) => `\`${field}\``).join(", ")}. ` +
        "Unknown fields are ignored.",
    },
    {
      name: "page",
      type: "integer",
      description: "1-based page number (`last` for the last page). A page past the end is 404 `Invalid page.`.",
    },
    {
      name: "page_size",
      type: "integer",
      description:
        `Objects per page (default ${DEFAULT_PAGE_SIZE}; invalid or < 1 falls back to it). ` +
        `Capped at ${MAX_PAGE_SIZE}, a rac-edge limit authentik lacks.`,
    },
    {
      name: "search",
      type: "string",
      description:
        "Whitespace-separated terms; each must match (case-insensitive substring) one of the searched fields.",
    },
  ];
}

const NOT_FOUND = "No such object, or the caller may not view it.";
const LIST_NOTE =
  "Lists the objects the caller may view: everything with the global `view_` permission, " +
  "otherwise the objects granted one by one (an empty page, never a 403 as authentik answers without any grant). " +
  "`count` is computed after this filtering.";

/** The documents of a resource's standard operations. */
export function standardDocs(doc: ResourceDoc, schemas: StandardSchemas): Record<StandardOperation, OperationDoc> {
  const { noun, notes = {} } = doc;
  const path = { key: doc.key };
  const update = (partial: boolean): OperationDoc => ({
    summary: `${partial ? "Partially update" : "Update"} a ${noun}`,
    description: join(
      partial
        ? "Only the given fields change."
        : "Required fields must be given; omitted optional fields keep their values (as in authentik).",
      "Needs the `change_` permission, globally or on the object.",
      notes[partial ? "partialUpdate" : "update"],
    ),
    path,
    body: { schema: partial ? schemas.patchSchema : schemas.updateSchema, required: !partial },
    success: { status: 200, description: `The updated ${noun}.`, schema: schemas.schema },
    conditional: "write",
    errors: { 404: NOT_FOUND, ...(doc.updateConflict ? { 409: doc.updateConflict } : {}) },
  });
  return {
    list: {
      summary: `List ${noun}s`,
      description: join(LIST_NOTE, notes.list),
      query: listParams(schemas.ordering, doc.filters),
      success: { status: 200, description: `A page of ${noun}s.`, schema: schemas.schema, shape: "page" },
      errors: { 400: "A filter names an object that does not exist, or is malformed.", 404: "`Invalid page.`" },
    },
    create: {
      summary: `Create a ${noun}`,
      description: join("Needs the global `add_` permission.", notes.create),
      body: { schema: schemas.createSchema ?? schemas.updateSchema, required: true },
      success: { status: 201, description: `The created ${noun}.`, schema: schemas.schema },
      conditional: "idempotent",
      errors: {
        409:
          "Only with an `Idempotency-Key`: the first request with it was applied " +
          "but its answer is not recorded yet.",
      },
    },
    retrieve: {
      summary: `Retrieve a ${noun}`,
      description: notes.retrieve,
      path,
      success: { status: 200, description: `The ${noun}.`, schema: schemas.schema },
      errors: { 404: NOT_FOUND },
      conditional: "read",
    },
    update: update(false),
    partialUpdate: update(true),
    destroy: {
      summary: `Delete a ${noun}`,
      description: join("Needs the `delete_` permission, globally or on the object.", notes.destroy),
      path,
      success: { status: 204, description: "Deleted; no body." },
      conditional: "write",
      errors: { 404: NOT_FOUND, ...(doc.deleteRefused ? { 400: doc.deleteRefused } : {}) },
    },
    usedBy: {
      summary: `Objects that use a ${noun}`,
      description: join(
        "Every object pointing at this one, with what deleting this one does to it, " +
          "limited to the objects the caller may view. " +
          "Any authenticated caller may ask about any existing object (as in authentik). A bare array, not paginated.",
        notes.usedBy,
      ),
      path,
      success: { status: 200, description: "The objects using this one.", schema: UsedBySchema, shape: "array" },
      errors: { 404: "No such object." },
    },
  };
}
