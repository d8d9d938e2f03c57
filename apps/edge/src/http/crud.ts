import type { ModelName, ResourceDescriptor } from "@rac-edge/core";
import { errors, schemasOf } from "@rac-edge/core";
import type * as v from "valibot";
import type { Access } from "../access.ts";
import { type Condition, type ListSpec, type Precheck, planListPage } from "../lists.ts";
import { missingRefs, newRefs, type Ref } from "../refs.ts";
import { failed, isForeignKeyViolation, type Reads, runReads } from "../repositories/d1.ts";
import {
  guarded,
  isPreconditionFailure,
  type VersionedRow,
  versionGuard,
  versionOf,
} from "../repositories/preconditions.ts";
import { usedByHandler } from "../usedBy.ts";
import { check, readObject, throwFieldErrors } from "./body.ts";
import { etagOf, ifMatchHolds, taggedJson } from "./etag.ts";
import { idempotent } from "./idempotency.ts";
import { json, noContent } from "./responses.ts";
import { type Context, type Handler, prefetching, type RequestContext, type Routes } from "./router.ts";

/**
 * What a standard resource supplies beyond its descriptor (path, model, schemas): its policy and its
 * repository's reads and writes; its SQL stays in its repository.
 */
export interface CrudResource<T extends { pk: string | number }, Create, Patch> {
  list: ListSpec;
  fromRow(row: never): T;
  /** Query-string filters of the list (known fields only); may throw a 400. */
  filters?(url: URL): Condition[];
  /**
   * The count of what `filters` keep from counter rows, for the filters that have them (no filter at
   * all is the list's `total`); undefined: `count(*)` counts the matching rows.
   */
  count?(url: URL): Condition | undefined;
  /** Reads in the list's batch that check the filters' ids (django-filter's 400 for an unknown choice). */
  precheck?(url: URL, db: D1Database): Precheck;
  /** The object's stored row, whose version conditional writes (If-Match) check. */
  row: VersionedRow;
  /** The object a path key names (planned: it rides in the authentication's batch); null for unknown or malformed keys. */
  byKey(db: D1Database, key: string): Reads<T | null>;
  /** References to check (in one batch) before any write. */
  refs?(input: Patch): Ref[];
  /** The object as this caller may see it (nested objects they may not view lose their settings). */
  present?(context: Context, object: T): Promise<T>;
  /** Checks beyond field validation and permissions, before any write. */
  authorize?(context: Context, input: Patch, current: T | null): Promise<void> | void;
  create(context: Context, input: Create): Promise<T>;
  update(context: Context, current: T, input: Patch): Promise<T>;
  remove(context: Context, current: T): Promise<void>;
}

/** The object the path named, if the caller may see it; 404 otherwise. */
async function visibleObject<T extends { pk: string | number }>(
  model: ModelName,
  access: Access,
  found: T | null,
): Promise<T> {
  if (found === null) throw errors.notFound();
  await access.requireVisible(model, found.pk);
  return found;
}

/**
 * References are checked before the write, but a referenced row can still be deleted in between:
 * the foreign key then refuses the whole batch, which is the client's 400, not a server fault.
 */
async function raceSafe<T>(write: Promise<T>): Promise<T> {
  try {
    return await write;
  } catch (error) {
    if (isPreconditionFailure(error)) throw errors.preconditionFailed();
    if (isForeignKeyViolation(error))
      throw errors.nonField("A referenced object was deleted while this request was handled; nothing was changed.");
    throw error;
  }
}

/**
 * With If-Match: the representation and its row version read again in one batch, compared with the
 * header (412 on a mismatch), and a binding whose every write batch is conditional on that version, so
 * a change between this read and the write answers 412 as well. Without: the binding as it is.
 */
export async function precondition<T extends { pk: string | number }>(
  context: Context,
  model: { row: VersionedRow; byKey(db: D1Database, key: string): Reads<T | null> },
  current: T,
  present: (object: T) => Promise<unknown>,
): Promise<D1Database> {
  const ifMatch = context.request.headers.get("if-match");
  if (ifMatch === null) return context.db;
  const plan = model.byKey(context.db, context.params.key!);
  const results = await context.db.batch([...plan.statements, versionOf(context.db, model.row, current.pk)]);
  const fresh = await plan.read(results.slice(0, -1));
  const version = (results.at(-1)!.results[0] as { version?: number } | undefined)?.version;
  if (fresh === null || version === undefined) throw errors.preconditionFailed();
  if (!ifMatchHolds(ifMatch, await etagOf(JSON.stringify(await present(fresh))))) throw errors.preconditionFailed();
  return guarded(context.db, versionGuard(context.db, model.row, current.pk, version));
}

/**
 * list, create, retrieve, PUT, PATCH, DELETE and used_by with authentik's permission rules, on the
 * descriptor's path and its aliases, validating with its schemas.
 */
export function crudRoutes<T extends { pk: string | number }, Create extends Patch, Patch>(
  descriptor: ResourceDescriptor<T, Create, Patch>,
  implementation: CrudResource<T, Create, Patch>,
): Routes {
  const schemas = schemasOf(descriptor);
  const { model } = descriptor;
  if (model === null) throw new Error(`${descriptor.path} has no model: it has no standard routes`);
  const resource = { ...implementation, model, createSchema: schemas.create, patchSchema: schemas.patch };
  /** The page as a caller who may see every object would get it, or limited to the `visible` pks. */
  async function present(context: Context, object: T): Promise<T> {
    return resource.present ? resource.present(context, object) : object;
  }
  const planList = ({ db, url, knownKey }: RequestContext, visible: string[] | null = null) => {
    let filters: Condition[];
    try {
      filters = resource.filters?.(url) ?? [];
    } catch (error) {
      return failed(error);
    }
    const count = filters.length === 0 ? resource.list.total : resource.count?.(url);
    const precheck = resource.precheck?.(url, db);
    return planListPage<never>(db, url, resource.list, { filters, visible, precheck, guard: knownKey, count });
  };
  // Callers who see every object (superusers, global view grants) get the page read with the authentication.
  const list = prefetching(planList, async (context, prefetched) => {
    const visible = await context.access.visible(resource.model);
    const page = await (visible === null ? prefetched() : runReads(context.db, planList(context, visible)));
    const results = await Promise.all(page.rows.map((row) => present(context, resource.fromRow(row))));
    return json({ pagination: page.pagination, results });
  });
  const create: Handler = async (context) => {
    await context.access.require(resource.model, "add");
    const { input, errors: fieldErrors } = check(resource.createSchema, await readObject(context.request));
    await resource.authorize?.(context, input, null);
    // Format errors and unknown references answer together, as DRF validates every field at once.
    throwFieldErrors(fieldErrors, await missingRefs(context.db, resource.refs?.(input) ?? [], context.access));
    const db = context.writing?.() ?? context.db;
    return taggedJson(null, await present(context, await raceSafe(resource.create({ ...context, db }, input))), 201);
  };
  const byKey = ({ db, params }: RequestContext) => resource.byKey(db, params.key!);
  const retrieve = prefetching(byKey, async (context, found) => {
    const object = await visibleObject(resource.model, context.access, found());
    return taggedJson(context.request, await present(context, object));
  });
  const update = (schema: v.GenericSchema<unknown, Patch>) =>
    prefetching(byKey, async (context, found) => {
      const current = await visibleObject(resource.model, context.access, found());
      await context.access.require(resource.model, "change", current.pk);
      const db = await precondition(context, resource, current, (object) => present(context, object));
      const { input, errors: fieldErrors } = check(schema, await readObject(context.request));
      await resource.authorize?.(context, input, current);
      // The object's response fields carry its references under the request's names: those it
      // keeps need no lookup (a deletion meanwhile fails the write's foreign key: raceSafe).
      const refs = newRefs(resource.refs?.(input) ?? [], resource.refs?.(current as unknown as Patch) ?? []);
      throwFieldErrors(fieldErrors, await missingRefs(context.db, refs, context.access));
      const updated = await raceSafe(resource.update({ ...context, db }, current, input));
      return taggedJson(null, await present(context, updated));
    });
  const remove = prefetching(byKey, async (context, found) => {
    const current = await visibleObject(resource.model, context.access, found());
    await context.access.require(resource.model, "delete", current.pk);
    const db = await precondition(context, resource, current, (object) => present(context, object));
    await raceSafe(resource.remove({ ...context, db }, current));
    return noContent();
  });
  const routes: Routes = {};
  for (const base of [descriptor.path, ...descriptor.aliases]) {
    const path = `/api/v3/${base}`;
    routes[path] = { GET: list, POST: idempotent(create) };
    routes[`${path}:key/`] = {
      GET: retrieve,
      PUT: update(resource.createSchema),
      PATCH: update(resource.patchSchema),
      DELETE: remove,
    };
    routes[`${path}:key/used_by/`] = { GET: usedByHandler(model, resource.byKey) };
  }
  return routes;
}
