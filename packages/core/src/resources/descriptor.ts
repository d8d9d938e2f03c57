/**
 * What one resource of the API is, as data: its path, key, filters, ordering fields and operations.
 * The Worker's routes, the typed client, the OpenAPI document and the tests are derived from it.
 * Run-time values only (no schemas, no prose), so the client and the console stay small: the object,
 * request and answer types ride along as phantom types, the schemas are in `schemas.ts`, the prose in
 * `docs.ts` (`@rac-edge/core/docs`, read by the document's build only).
 */
import type { ModelName } from "../permissions.ts";

/** How the path key is typed on the wire. */
export type KeyKind = "integer" | "uuid" | "string";
export type ParamType = "string" | "integer" | "boolean" | "uuid" | "number";
export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** A list's query filter (its name is its key in `filters`). */
export interface FilterDescriptor {
  readonly type: ParamType;
  /** The values a choice filter accepts. */
  readonly enum?: readonly string[];
  /** May be given more than once (`?managed=a&managed=b`): any of the values. */
  readonly repeatable?: boolean;
}

/** list, create, retrieve, PUT, PATCH, DELETE and used_by, with authentik's semantics. */
export const STANDARD_OPERATIONS = [
  "list",
  "create",
  "retrieve",
  "update",
  "partialUpdate",
  "destroy",
  "usedBy",
] as const;
export type StandardOperation = (typeof STANDARD_OPERATIONS)[number];

/** Method and path (below the resource's) of each standard operation. */
export const STANDARD_ROUTES: Record<StandardOperation, { method: HttpMethod; path: string }> = {
  list: { method: "GET", path: "" },
  create: { method: "POST", path: "" },
  retrieve: { method: "GET", path: ":key/" },
  update: { method: "PUT", path: ":key/" },
  partialUpdate: { method: "PATCH", path: ":key/" },
  destroy: { method: "DELETE", path: ":key/" },
  usedBy: { method: "GET", path: ":key/used_by/" },
};

/** An operation beyond the standard ones (launch, view_key, ...). */
export interface OperationDescriptor<Body = unknown, Answer = unknown> {
  readonly method: HttpMethod;
  /** Below the resource's path; `:key/` stands for the object's key (`:key/launch/`). */
  readonly path: string;
  /** Phantom (never set): the request body's and the answer's types. */
  readonly types?: { body: Body; answer: Answer };
}

export interface ResourceDescriptor<T = unknown, Create = unknown, Patch = unknown> {
  /** authentik's `app.model`; null for operations that act on no model of their own (the gateway). */
  readonly model: ModelName | null;
  /** Below `/api/v3/`, with a trailing slash: `providers/rac/`. */
  readonly path: string;
  /** Further paths serving the same handlers (authentik's older names). */
  readonly aliases: readonly string[];
  /** The path key: its name in the document (`pbm_uuid`) and its type. */
  readonly key: { readonly name: string; readonly kind: KeyKind };
  readonly filters: Readonly<Record<string, FilterDescriptor>>;
  /** The list's `ordering` fields (the repository maps each to SQL). */
  readonly ordering: readonly string[];
  /** Whether the list takes `search`. */
  readonly search: boolean;
  readonly standard: readonly StandardOperation[];
  readonly operations: Readonly<Record<string, OperationDescriptor>>;
  /** Phantom (never set): the object as answered, the create/PUT body and the PATCH body. */
  readonly types?: { object: T; create: Create; patch: Patch };
}

/** `resource<Object, Create, Patch>()({...})`: the descriptor with its literal types and phantom types. */
export const resource =
  <T, Create = never, Patch = never>() =>
  <const D extends Omit<ResourceDescriptor, "types">>(descriptor: D): D & Typed<T, Create, Patch> =>
    descriptor as D & Typed<T, Create, Patch>;

/** Only the phantom types: intersecting the whole interface would widen `filters` to any string key. */
type Typed<T, Create, Patch> = Pick<ResourceDescriptor<T, Create, Patch>, "types">;

/** An operation with its body and answer types. */
export const operation = <Body, Answer>(method: HttpMethod, path: string): OperationDescriptor<Body, Answer> => ({
  method,
  path,
});

export type ObjectOf<D> = D extends { types?: { object: infer T } } ? T : never;
export type CreateOf<D> = D extends { types?: { create: infer T } } ? T : never;
export type PatchOf<D> = D extends { types?: { patch: infer T } } ? T : never;
export type KeyOf<D extends ResourceDescriptor> = D["key"]["kind"] extends "integer" ? number : string;
export type FilterOf<D extends ResourceDescriptor> = keyof D["filters"] & string;
export type BodyOf<O> = O extends { types?: { body: infer B } } ? B : never;
export type AnswerOf<O> = O extends { types?: { answer: infer A } } ? A : never;

/** The Worker's route of an operation: `/api/v3/`, the resource's path, the operation's (`:key` for the key). */
export function operationPath<D extends ResourceDescriptor>(
  descriptor: D,
  name: StandardOperation | (keyof D["operations"] & string),
): string {
  const operation = STANDARD_ROUTES[name as StandardOperation] ?? descriptor.operations[name];
  return `/api/v3/${descriptor.path}${operation!.path}`;
}

/** Every route of a resource: method, path below `/api/v3/` (`:key` for the key) and the operation's name. */
export function resourceRoutes(descriptor: ResourceDescriptor): { method: HttpMethod; path: string; name: string }[] {
  const routes: { method: HttpMethod; path: string; name: string }[] = [];
  for (const base of [descriptor.path, ...descriptor.aliases]) {
    for (const name of descriptor.standard)
      routes.push({ ...STANDARD_ROUTES[name], path: base + STANDARD_ROUTES[name].path, name });
    for (const [name, op] of Object.entries(descriptor.operations))
      routes.push({ method: op.method, path: base + op.path, name });
  }
  return routes;
}
