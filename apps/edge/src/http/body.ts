import { errors, type FieldErrors, pythonType, toFieldErrors } from "@rac-edge/core";
import * as v from "valibot";

export const MAX_BODY_BYTES = 1024 * 1024;
/**
 * Deeper JSON is refused: recursive code (messages, merges) would exhaust the stack, and SQLite's
 * JSON functions stop at 1000 levels, so a deeper stored value would break later reads.
 */
export const MAX_JSON_DEPTH = 100;

/** A UTF-16 surrogate without its pair: not a Unicode character, so no text column can hold it as sent. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export const INEXACT_INTEGER = `integers beyond ±${Number.MAX_SAFE_INTEGER} (2^53 - 1) must be exact doubles`;

/**
 * Why a JSON number cannot be stored as sent, or null, from its source text: one that overflows
 * (`1e309` would be Infinity), an integer literal beyond ±(2^53 - 1) that would be rounded (neither
 * exactly a double nor written as one, as JSON.stringify writes large doubles), or a non-zero one
 * that underflows to 0 (`1e-400`). Other decimals are IEEE doubles, as in any JSON.
 */
function inexactNumber(value: number, source: string): string | null {
  if (!Number.isFinite(value)) return "numbers must be finite";
  if (
    /^-?\d+$/.test(source) &&
    !Number.isSafeInteger(value) &&
    BigInt(source) !== BigInt(value) &&
    String(value) !== source
  ) {
    return INEXACT_INTEGER;
  }
  if (value === 0 && /[1-9]/.test(source.split(/e/i)[0]!)) return "numbers must not round to zero";
  return null;
}

const JSON_STRING = /"(?:[^"\\]|\\.)*"/g;
const JSON_NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;

/**
 * JSON.parse, refusing numbers it would store differently: each number token of the (valid) text,
 * strings blanked out first, is checked against the value it parses to. A scan, not a reviver:
 * V8's reviver recurses, and deep documents would exhaust the stack.
 */
function parseExact(text: string): unknown {
  const value = JSON.parse(text);
  if (/\d/.test(text)) {
    for (const source of text.replace(JSON_STRING, '""').match(JSON_NUMBER) ?? []) {
      const problem = inexactNumber(Number(source), source);
      if (problem !== null) throw new SyntaxError(problem);
    }
  }
  return value;
}

/**
 * Why a parsed body cannot be stored exactly as sent, or null. Iterative, so any depth is safe:
 * nesting beyond `MAX_JSON_DEPTH` and strings or keys with lone surrogates.
 */
function unstorable(value: unknown): string | null {
  const pending: [unknown, number][] = [[value, 0]];
  while (pending.length > 0) {
    const [item, depth] = pending.pop()!;
    if (typeof item === "string") {
      if (LONE_SURROGATE.test(item)) return "strings must be well-formed Unicode (a lone surrogate was found)";
    } else if (item !== null && typeof item === "object") {
      if (depth >= MAX_JSON_DEPTH) return `nested deeper than ${MAX_JSON_DEPTH} levels`;
      for (const [key, child] of Object.entries(item)) {
        if (LONE_SURROGATE.test(key)) return "strings must be well-formed Unicode (a lone surrogate was found)";
        pending.push([child, depth + 1]);
      }
    }
  }
  return null;
}

/**
 * The body's bytes, refused with 413 as soon as they pass the limit, whether or not a
 * Content-Length announced them (a chunked body is read only up to the limit, then cancelled).
 */
async function readLimited(request: Request): Promise<Uint8Array> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES) throw errors.tooLarge(MAX_BODY_BYTES);
  if (request.body === null) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    length += value.byteLength;
    if (length > MAX_BODY_BYTES) {
      await reader.cancel();
      throw errors.tooLarge(MAX_BODY_BYTES);
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0]!;
  const bytes = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/**
 * Reads a JSON object body the way DRF's JSONParser does: no content type and no body is `{}`,
 * another content type 415, malformed JSON 400, anything but an object a non-field error.
 * Stricter than DRF where a value could not be stored as sent: bytes that are not UTF-8, lone
 * surrogates, integers beyond 2^53, and numbers that overflow or underflow are a 400 parse error.
 */
export async function readObject(request: Request): Promise<Record<string, unknown>> {
  const bytes = await readLimited(request);
  const type = (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (type === "" && bytes.byteLength === 0) return {};
  if (type !== "application/json" && !(type.startsWith("application/") && type.endsWith("+json"))) {
    throw errors.unsupportedMediaType(request.headers.get("content-type") ?? "");
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw errors.badRequest("JSON parse error - the body is not valid UTF-8");
  }
  if (text.trim() === "") return {};
  let value: unknown;
  try {
    value = parseExact(text);
  } catch (error) {
    throw errors.badRequest(`JSON parse error - ${(error as Error).message}`);
  }
  const problem = unstorable(value);
  if (problem !== null) throw errors.badRequest(`JSON parse error - ${problem}`);
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw errors.nonField(`Invalid data. Expected a dictionary, but got ${pythonType(value)}.`);
  }
  return value as Record<string, unknown>;
}

/** Validates a body against a core schema; field errors in authentik's shape. */
export function validate<S extends v.GenericSchema>(schema: S, input: unknown): v.InferOutput<S> {
  const result = v.safeParse(schema, input, { abortPipeEarly: true });
  if (!result.success) throw errors.validation(toFieldErrors(result.issues));
  return result.output;
}

/** A body checked without throwing for its field errors, so other checks can add theirs to one 400. */
export interface Checked<T> {
  /** The output when valid; otherwise only the fields that validated (as the schema transformed them). */
  input: T;
  errors: FieldErrors;
}

/**
 * Validates like `validate`, but answers the field errors instead of throwing them, with the
 * fields that did validate: DRF reports format errors and unknown references of one body together.
 */
export function check<S extends v.GenericSchema>(schema: S, body: Record<string, unknown>): Checked<v.InferOutput<S>> {
  const result = v.safeParse(schema, body, { abortPipeEarly: true });
  if (result.success) return { input: result.output, errors: {} };
  const fieldErrors = toFieldErrors(result.issues);
  const output = (result.output ?? {}) as Record<string, unknown>;
  const valid = Object.entries(typeof output === "object" ? output : {}).filter(
    ([key]) => Object.hasOwn(body, key) && !(key in fieldErrors),
  );
  return { input: Object.fromEntries(valid) as v.InferOutput<S>, errors: fieldErrors };
}

/** Throws one 400 with every field's errors, a field's format errors before others; nothing when all are empty. */
export function throwFieldErrors(...sets: FieldErrors[]): void {
  const merged: FieldErrors = {};
  for (const set of sets) for (const [field, messages] of Object.entries(set)) merged[field] ??= messages;
  if (Object.keys(merged).length > 0) throw errors.validation(merged);
}

export async function readBody<S extends v.GenericSchema>(request: Request, schema: S): Promise<v.InferOutput<S>> {
  return validate(schema, await readObject(request));
}
