import type { ModelName } from "@rac-edge/core";
import { errors } from "@rac-edge/core";
import type * as v from "valibot";
import type { Access } from "../access.ts";
import { type Condition, type ListSpec, listPage } from "../lists.ts";
import { documented } from "../openapi/operation.ts";
import { type ResourceDoc, standardDocs } from "../openapi/standard.ts";
import { newRefs, type Ref, requireRefs } from "../refs.ts";
import { isForeignKeyViolation } from "../repositories/d1.ts";
import { usedByHandler } from "../usedBy.ts";
import { readBody } from "./body.ts";
import { created, json, noContent } from "./responses.ts";
import type { Context, Handler, Routes } from "./router.ts";

/** What a standard resource supplies; its SQL stays in its repository. */
export interface CrudResource<T extends { pk: string | number }, Create, Patch> {
  model: ModelName;
  /** List path with a trailing slash; the detail path is `<path>:key/`. */
  path: string;
  list: ListSpec;
  fromRow(row: never): T;
  /** Query-string filters of the list (known fields only). */
  filters?(url: URL, db: D1Database): Condition[] | Promise<Condition[]>;
  /** Looks an object up by its path key; null for unknown or malformed keys. */
  find(db: D1Database, key: string): Promise<T | null>;
  createSchema: v.GenericSchema<unknown, Create>;
  patchSchema: v.GenericSchema<unknown, Patch>;
  /** The object as answered, and what the OpenAPI document says beyond the schemas. */
  schema: v.GenericSchema<unknown, T>;
  doc: ResourceDoc;
  /** References to check (in one batch) before any write. */
  refs?(input: Patch): Ref[];
  /** Checks beyond field validation and permissions, before any write. */
  authorize?(context: Context, input: Patch, current: T | null): Promise<void> | void;
  create(context: Context, input: Create): Promise<T>;
  update(context: Context, current: T, input: Patch): Promise<T>;
  remove(context: Context, current: T): Promise<void>;
}

async function visibleObject<T extends { pk: string | number }>(
  resource: CrudResource<T, unknown, unknown>,
  access: Access,
  db: D1Database,
  key: string,
): Promise<T> {
  const current = await resource.find(db, key);
  if (current === null) throw errors.notFound();
  await access.requireVisible(resource.model, current.pk);
  return current;
}

/**
 * References are checked before the write, but a referenced row can still be deleted in between:
 * the foreign key then refuses the whole batch, which is the client's 400, not a server fault.
 */
async function raceSafe<T>(write: Promise<T>): Promise<T> {
  try {
    return await write;
  } catch (error) {
    if (isForeignKeyViolation(error)) throw errors.nonField("A referenced object was deleted while this request was handled; nothing was changed.");
    throw error;
  }
}

/** list, create, retrieve, PUT, PATCH, DELETE and used_by with authentik's permission rules. */
export function crudRoutes<T extends { pk: string | number }, Create extends Patch, Patch>(resource: CrudResource<T, Create, Patch>): Routes {
  const r = resource as unknown as CrudResource<T, unknown, unknown>;
  const list: Handler = async ({ db, url, access }) => {
    const filters = (await resource.filters?.(url, db)) ?? [];
    const page = await listPage<never>(db, url, resource.list, filters, await access.visible(resource.model));
    return json({ pagination: page.pagination, results: page.rows.map((row) => resource.fromRow(row)) });
  };
  const create: Handler = async (context) => {
    await context.access.require(resource.model, "add");
    const input = await readBody(context.request, resource.createSchema);
    await resource.authorize?.(context, input, null);
    await requireRefs(context.db, resource.refs?.(input) ?? []);
    return created(await raceSafe(resource.create(context, input)));
  };
  const retrieve: Handler = async ({ db, params, access }) => json(await visibleObject(r, access, db, params.key!));
  const update =
    (schema: v.GenericSchema<unknown, Patch>): Handler =>
    async (context) => {
      const current = await visibleObject(r, context.access, context.db, context.params.key!);
      await context.access.require(resource.model, "change", current.pk);
      const input = await readBody(context.request, schema);
      await resource.authorize?.(context, input, current);
      // The object's response fields carry its references under the request's names: those it
      // keeps need no lookup (a deletion meanwhile fails the write's foreign key: raceSafe).
      await requireRefs(context.db, newRefs(resource.refs?.(input) ?? [], resource.refs?.(current as unknown as Patch) ?? []));
      return json(await raceSafe(resource.update(context, current, input)));
    };
  const remove: Handler = async (context) => {
    const current = await visibleObject(r, context.access, context.db, context.params.key!);
    await context.access.require(resource.model, "delete", current.pk);
    await resource.remove(context, current);
    return noContent();
  };
  const docs = standardDocs(resource.doc, {
    schema: resource.schema,
    updateSchema: resource.createSchema,
    patchSchema: resource.patchSchema,
    ordering: Object.keys(resource.list.ordering),
  });
  return {
    [resource.path]: { GET: documented(docs.list, list), POST: documented(docs.create, create) },
    [`${resource.path}:key/`]: {
      GET: documented(docs.retrieve, retrieve),
      PUT: documented(docs.update, update(resource.createSchema)),
      PATCH: documented(docs.partialUpdate, update(resource.patchSchema)),
      DELETE: documented(docs.destroy, remove),
    },
    [`${resource.path}:key/used_by/`]: { GET: documented(docs.usedBy, usedByHandler(resource.model, resource.find)) },
  };
}
