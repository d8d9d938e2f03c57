/** The operation documents of one resource: its descriptor, its prose (`@rac-edge/core/docs`) and its schemas. */
import {
  type HttpMethod,
  RESOURCE_SCHEMAS,
  RESOURCES,
  type ResourceName,
  STANDARD_ROUTES,
  type StandardOperation,
} from "@rac-edge/core";
import { type OperationProse, RESOURCE_DOCS, type ResourceProse } from "@rac-edge/core/docs";
import type * as v from "valibot";
import type { OperationDoc, ParamDoc } from "./operation.ts";
import { listParams, standardDocs } from "./standard.ts";

/** The documented operations of a resource, on its path and each alias. */
export function resourceOperations(name: ResourceName): { route: string; method: HttpMethod; doc: OperationDoc }[] {
  const descriptor = RESOURCES[name];
  const prose = RESOURCE_DOCS[name] as ResourceProse;
  const schemas = RESOURCE_SCHEMAS[name] as {
    object?: v.GenericSchema;
    create?: v.GenericSchema;
    patch?: v.GenericSchema;
    operations: Record<string, { body?: v.GenericSchema; answer?: v.GenericSchema }>;
  };
  const key: ParamDoc = { name: descriptor.key.name, type: descriptor.key.kind, description: prose.key };
  const filters: ParamDoc[] = Object.entries(descriptor.filters).map(([filter, spec]) => ({
    name: filter,
    ...spec,
    description: (prose.filters as Record<string, string>)[filter]!,
  }));
  const standard =
    schemas.object &&
    standardDocs(
      { noun: prose.noun, key, filters, ...pick(prose, ["notes", "deleteRefused", "updateConflict"]) },
      {
        schema: schemas.object,
        updateSchema: schemas.create ?? schemas.object,
        patchSchema: schemas.patch ?? schemas.object,
        ordering: descriptor.ordering,
      },
    );
  /** Prose and schemas as one document; the path key and list parameters from the descriptor. */
  const written = (
    op: string,
    path: string,
    text: OperationProse,
    body?: v.GenericSchema,
    answer?: v.GenericSchema,
  ) => {
    const doc: OperationDoc = {
      ...text,
      ...(path.includes(":key") ? { path: { key } } : {}),
      ...(text.success.shape === "page" ? { query: listParams(descriptor.ordering, filters) } : {}),
      body: text.body && body ? { ...text.body, schema: body } : undefined,
      success: { ...text.success, ...(answer ? { schema: answer } : {}) },
    };
    if (doc.body === undefined) delete doc.body;
    if (text.body && !body) throw new Error(`${name}.${op}: a body is documented but has no schema`);
    return doc;
  };
  const operations = descriptor.standard.map((op: StandardOperation) => {
    const override = prose.operations[op];
    const doc = override ? written(op, STANDARD_ROUTES[op].path, override, undefined, schemas.object) : standard![op];
    return { ...STANDARD_ROUTES[op], doc };
  });
  for (const [op, spec] of Object.entries(descriptor.operations)) {
    const text = (prose.operations as Record<string, OperationProse>)[op]!;
    const { body, answer } = schemas.operations[op] ?? {};
    operations.push({ method: spec.method, path: spec.path, doc: written(op, spec.path, text, body, answer) });
  }
  return [descriptor.path, ...descriptor.aliases].flatMap((base) =>
    operations.map(({ method, path, doc }) => ({ route: `/api/v3/${base}${path}`, method, doc })),
  );
}

function pick<T extends object, K extends keyof T>(object: T, keys: readonly K[]): Pick<T, K> {
  return Object.fromEntries(keys.filter((k) => object[k] !== undefined).map((k) => [k, object[k]])) as Pick<T, K>;
}
