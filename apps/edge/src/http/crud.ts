import type { Action, FieldErrors, ModelName, ResourceDescriptor } from "@rac-edge/core";
import { codename, errors, schemasOf } from "@rac-edge/core";
import type * as v from "valibot";
import { missingRefs, newRefs, type Ref } from "../refs.ts";
import { isForeignKeyViolation, type ReadPlan, runPlan } from "../repositories/d1.ts";
import type { ListFilters } from "../repositories/filters.ts";
import { type Condition, type ListSpec, planListPage } from "../repositories/lists.ts";
import {
  guarded,
  isPreconditionFailure,
  readVersioned,
  type VersionedRow,
  versionGuard,
} from "../repositories/preconditions.ts";
import { usedByHandler } from "../usedBy.ts";
import { check, readObject, throwFieldErrors } from "./body.ts";
import { etagOf, ifMatchHolds, taggedJson } from "./etag.ts";
import { idempotent } from "./idempotency.ts";
import { json, noContent } from "./responses.ts";
import { type Context, type Handler, prefetching, type RequestContext, type Routes } from "./router.ts";

/**
 * Objects their owner may use without a grant (authentik's owner rules for tokens). Grants still
 * apply to everyone else, and on top of these for the owner.
 */
export interface Ownership<T> {
  /** The codenames an owner holds on each of their own objects. */
  permissions: ReadonlySet<string>;
  /** The owning user's id. */
  ownerOf(object: T): number;
  /** A list condition for a caller who sees only some objects: their own plus the `granted` pks. */
  visible(userId: number, granted: string[]): Condition;
  /** Creating needs no add grant (`authorize` then checks what is created for whom). */
  mayCreateOwn?: boolean;
}

/**
 * What a standard resource supplies beyond its descriptor (path, model, schemas): its policy and its
 * repository's reads and writes; its SQL stays in its repository. `Row`: a list row as selected there.
 */
export interface CrudResource<T extends { pk: string | number }, Create, Patch, Row = never> {
  list: ListSpec;
  fromRow: (row: Row) => T;
  /**
   * The list's query-string filters, parsed once: conditions, a counter-row count of what they keep (no
   * filter at all is the list's `total`) and reads checking their ids: `filtering(<the repository's
   * filter table>)`. May throw (a malformed value): answered after authentication. `limited`: the
   * caller sees only some objects.
   */
  filters?(url: URL, db: D1Database, limited: boolean): ListFilters;
  /** A whole page from its rows and the list's `related` rows (instead of `fromRow` per row). */
  fromPage?(rows: Row[], related: Record<string, Record<string, unknown>[]>): T[];
  owner?: Ownership<T>;
  /** The object's stored row, whose version conditional writes (If-Match) check. */
  row: VersionedRow;
  /**
   * The object a path key names (planned: it rides in the authentication's batch); null for unknown or malformed keys.
   */
  byKey(db: D1Database, key: string): ReadPlan<T | null>;
  /** References to check (in one batch) before any write. */
  refs?(input: Patch): Ref[];
  /** The object as this caller may see it (nested objects they may not view lose their settings). */
  present?(context: Context, object: T): Promise<T>;
  /** Checks beyond field validation and permissions, before any write. */
  authorize?(context: Context, input: Patch, current: T | null): Promise<void> | void;
  /** Field errors of an update beyond the schema's, answered with them and the unknown references. */
  fieldErrors?(input: Patch, current: T): FieldErrors;
  /** Absent: no POST (objects are made elsewhere). */
  create?(context: Context, input: Create): Promise<T>;
  update(context: Context, current: T, input: Patch): Promise<T>;
  remove(context: Context, current: T): Promise<void>;
}

type Owned<T> = { model: ModelName; owner?: Ownership<T> | undefined };

/** The caller holds the codename on the object: by a grant (global or on it), or as its owner. */
export async function allowed<T extends { pk: string | number }>(
  { access, caller }: Pick<Context, "access" | "caller">,
  { owner }: Owned<T>,
  perm: string,
  object: T,
): Promise<boolean> {
  if (owner?.permissions.has(perm) && owner.ownerOf(object) === caller.userId) return true;
  return access.has(perm, object.pk);
}

/** The object the path named, if the caller may see it; 404 otherwise, like authentik's filtered querysets. */
export async function visibleObject<T extends { pk: string | number }>(
  context: Context,
  resource: Owned<T>,
  found: T | null,
): Promise<T> {
  if (found === null || !(await allowed(context, resource, codename(resource.model, "view"), found)))
    throw errors.notFound();
  return found;
}

/** 403 unless the caller may `action` the object. */
async function requireAllowed<T extends { pk: string | number }>(
  context: Context,
  resource: Owned<T>,
  action: Action,
  object: T,
): Promise<void> {
  if (!(await allowed(context, resource, codename(resource.model, action), object))) throw errors.forbidden();
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
  model: { row: VersionedRow; byKey(db: D1Database, key: string): ReadPlan<T | null> },
  current: T,
  present: (object: T) => Promise<unknown>,
): Promise<D1Database> {
  const ifMatch = context.request.headers.get("if-match");
  if (ifMatch === null) return context.db;
  const plan = model.byKey(context.db, context.params.key!);
  const { value: fresh, version } = await readVersioned(context.db, plan, model.row, current.pk);
  if (fresh === null || version === undefined) throw errors.preconditionFailed();
  if (!ifMatchHolds(ifMatch, await etagOf(JSON.stringify(await present(fresh))))) throw errors.preconditionFailed();
  return guarded(context.db, versionGuard(context.db, model.row, current.pk, version));
}

/**
 * list, create, retrieve, PUT, PATCH, DELETE and used_by with authentik's permission rules, on the
 * descriptor's path and its aliases, validating with its schemas.
 */
export function crudRoutes<T extends { pk: string | number }, Create extends Patch, Patch, Row = never>(
  descriptor: ResourceDescriptor<T, Create, Patch>,
  implementation: CrudResource<T, Create, Patch, Row>,
): Routes {
  const schemas = schemasOf(descriptor);
  const { model } = descriptor;
  if (model === null) throw new Error(`${descriptor.path} has no model: it has no standard routes`);
  const resource = { ...implementation, model, createSchema: schemas.create, patchSchema: schemas.patch };
  /** The page as a caller who may see every object would get it, or limited to the `visible` pks. */
  async function present(context: Context, object: T): Promise<T> {
    return resource.present ? resource.present(context, object) : object;
  }
  /**
   * The page as a caller who sees every object gets it, or for one who sees some: their `visible`
   * pks, or with an owner, `owned` (their own and the granted ones), which `count(*)` counts.
   */
  const planList = ({ db, url, knownKey }: RequestContext, visible: string[] | null = null, owned?: Condition) => {
    // A malformed filter throws: the router's prefetch answers it after authentication.
    const filters = resource.filters?.(url, db, visible !== null || owned !== undefined) ?? { where: [] };
    const { where, precheck } = filters;
    const count = owned ? undefined : where.length === 0 ? resource.list.total : filters.count;
    const conditions = owned ? [...where, owned] : where;
    return planListPage<Row>(db, url, resource.list, {
      filters: conditions,
      visible,
      precheck,
      guard: knownKey,
      count,
    });
  };
  // Callers who see every object (superusers, global view grants) get the page read with the authentication.
  const list = prefetching(planList, async (context, prefetched) => {
    const visible = await context.access.visible(resource.model);
    const { owner } = resource;
    const limited = () =>
      owner ? planList(context, null, owner.visible(context.caller.userId, visible!)) : planList(context, visible);
    const page = await (visible === null ? prefetched() : runPlan(context.db, limited()));
    const objects = resource.fromPage
      ? resource.fromPage(page.rows, page.related)
      : page.rows.map((row) => resource.fromRow(row));
    const results = await Promise.all(objects.map((object) => present(context, object)));
    return json({ pagination: page.pagination, results });
  });
  const create: Handler = async (context) => {
    if (!resource.owner?.mayCreateOwn) await context.access.require(resource.model, "add");
    const { input, errors: fieldErrors } = check(resource.createSchema, await readObject(context.request));
    await resource.authorize?.(context, input, null);
    // Format errors and unknown references answer together, as DRF validates every field at once.
    throwFieldErrors(fieldErrors, await missingRefs(context.db, resource.refs?.(input) ?? [], context.access));
    const db = context.writing?.() ?? context.db;
    return taggedJson(null, await present(context, await raceSafe(resource.create!({ ...context, db }, input))), 201);
  };
  const byKey = ({ db, params }: RequestContext) => resource.byKey(db, params.key!);
  const retrieve = prefetching(byKey, async (context, found) => {
    const object = await visibleObject(context, resource, found());
    return taggedJson(context.request, await present(context, object));
  });
  const update = (schema: v.GenericSchema<unknown, Patch>) =>
    prefetching(byKey, async (context, found) => {
      const current = await visibleObject(context, resource, found());
      await requireAllowed(context, resource, "change", current);
      const db = await precondition(context, resource, current, (object) => present(context, object));
      const { input, errors: fieldErrors } = check(schema, await readObject(context.request));
      await resource.authorize?.(context, input, current);
      // The object's response fields carry its references under the request's names: those it
      // keeps need no lookup (a deletion meanwhile fails the write's foreign key: raceSafe).
      const refs = newRefs(resource.refs?.(input) ?? [], resource.refs?.(current as unknown as Patch) ?? []);
      const own = resource.fieldErrors?.(input, current) ?? {};
      throwFieldErrors(fieldErrors, own, await missingRefs(context.db, refs, context.access));
      const updated = await raceSafe(resource.update({ ...context, db }, current, input));
      return taggedJson(null, await present(context, updated));
    });
  const remove = prefetching(byKey, async (context, found) => {
    const current = await visibleObject(context, resource, found());
    await requireAllowed(context, resource, "delete", current);
    const db = await precondition(context, resource, current, (object) => present(context, object));
    await raceSafe(resource.remove({ ...context, db }, current));
    return noContent();
  });
  const routes: Routes = {};
  for (const base of [descriptor.path, ...descriptor.aliases]) {
    const path = `/api/v3/${base}`;
    routes[path] = { GET: list, ...(resource.create ? { POST: idempotent(create) } : {}) };
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
