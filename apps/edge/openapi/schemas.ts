/**
 * valibot schemas to JSON Schema (2020-12, OpenAPI 3.1's dialect) with the valibot team's
 * converter. Responses are documented by their output type: exact, strict objects (valibot's
 * `object` drops unknown keys, so nothing else is ever answered). Requests by their input type:
 * what the wire accepts before core's transforms run, refined by the validated type where the
 * input alone says nothing (a DRF-style field that takes any value and then checks it).
 */
import { isDictionary, paginatedSchema } from "@rac-edge/core";
import { type ConversionConfig, type JsonSchema, toJsonSchema, toJsonSchemaDefs } from "@valibot/to-json-schema";
import type * as v from "valibot";

type Json = Record<string, unknown>;

const REF_PREFIX = "#/components/schemas/";

/** A schema that constrains nothing: `{}`. */
const unconstrained = (schema: unknown) =>
  typeof schema === "object" && schema !== null && Object.keys(schema).length === 0;

const withoutDialect = (schema: JsonSchema): Json => {
  const { $schema: _, ...rest } = schema as Json;
  return rest;
};

/**
 * Core's field schemas wrap their input in `nonNullable`, which the converter does not know:
 * it means the wrapped schema, minus null (which the wrapped schemas never accept anyway).
 */
function requestConfig(typeMode: "input" | "output"): ConversionConfig {
  const config: ConversionConfig = {
    target: "draft-2020-12",
    typeMode,
    // Transforms and custom checks have no JSON Schema; the types around them do.
    errorMode: "ignore",
    overrideSchema: ({ valibotSchema }) => {
      if (valibotSchema.type === "non_nullable") {
        return withoutDialect(toJsonSchema((valibotSchema as unknown as { wrapped: v.GenericSchema }).wrapped, config));
      }
      // core's dictionary() is a custom check (valibot's record would drop `__proto__` keys).
      if (valibotSchema.type === "custom" && (valibotSchema as { check?: unknown }).check === isDictionary)
        return { type: "object" };
      return undefined;
    },
  };
  return config;
}

/** Where the input type is unconstrained, the validated (output) type says what is accepted. */
function refine(input: unknown, output: unknown): unknown {
  if (unconstrained(input)) return output;
  if (typeof input !== "object" || input === null || typeof output !== "object" || output === null) return input;
  const a = input as Json;
  const b = output as Json;
  const result: Json = { ...a };
  if (a.properties && b.properties) {
    const props: Json = {};
    for (const [key, value] of Object.entries(a.properties as Json))
      props[key] = refine(value, (b.properties as Json)[key]);
    result.properties = props;
  }
  if (a.items && b.items) result.items = refine(a.items, b.items);
  for (const key of ["anyOf", "oneOf"] as const) {
    const left = a[key];
    const right = b[key];
    if (Array.isArray(left) && Array.isArray(right) && left.length === right.length)
      result[key] = left.map((item, index) => refine(item, right[index]));
  }
  return result;
}

/** A request body's schema: its input type, refined by its output type. */
export function requestJsonSchema(schema: v.GenericSchema): Json {
  return refine(
    withoutDialect(toJsonSchema(schema, requestConfig("input"))),
    withoutDialect(toJsonSchema(schema, requestConfig("output"))),
  ) as Json;
}

/**
 * Response schemas, by output type, converted together once. Named schemas become components and
 * are referenced wherever they occur (also nested, e.g. a provider inside an endpoint); the others
 * are inlined where they are used.
 */
export class ResponseSchemas {
  private readonly names: Map<v.GenericSchema, string>;
  private readonly pages = new Map<v.GenericSchema, v.GenericSchema>();
  private readonly inlined: { schema: v.GenericSchema; target: Json }[] = [];

  constructor(named: ReadonlyMap<v.GenericSchema, string>) {
    this.names = new Map(named);
  }

  /** A reference to a named schema, or (filled in by `components()`) the schema inline. */
  ref(schema: v.GenericSchema): Json {
    const name = this.names.get(schema);
    if (name !== undefined) return { $ref: `${REF_PREFIX}${name}` };
    const target: Json = {};
    this.inlined.push({ schema, target });
    return target;
  }

  /** authentik's paginated list of a schema (`PaginatedRACProviderList`). */
  page(item: v.GenericSchema): Json {
    let page = this.pages.get(item);
    if (page === undefined) {
      page = paginatedSchema(item);
      this.pages.set(item, page);
      const name = this.names.get(item);
      if (name !== undefined) this.names.set(page, `Paginated${name}List`);
    }
    return this.ref(page);
  }

  /** Converts everything referenced so far; answers `components.schemas`. */
  components(): Record<string, Json> {
    const definitions: Record<string, v.GenericSchema> = Object.fromEntries(
      [...this.names].map(([schema, name]) => [name, schema]),
    );
    this.inlined.forEach(({ schema }, index) => {
      definitions[`${INLINE}${index}`] = schema;
    });
    const converted = toJsonSchemaDefs(definitions, {
      target: "draft-2020-12",
      typeMode: "output",
      errorMode: "throw",
      overrideRef: ({ referenceId }) => `${REF_PREFIX}${referenceId}`,
      // valibot's `object` strips unknown keys: its output has exactly the listed ones.
      overrideSchema: ({ valibotSchema, jsonSchema }) =>
        valibotSchema.type === "object" ? { ...jsonSchema, additionalProperties: false } : undefined,
    }) as Record<string, Json>;
    this.inlined.forEach(({ target }, index) => {
      Object.assign(target, converted[`${INLINE}${index}`]);
      delete converted[`${INLINE}${index}`];
    });
    return converted;
  }
}

const INLINE = "inline-";
