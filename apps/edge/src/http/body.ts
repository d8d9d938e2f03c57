import { errors, pythonType, toFieldErrors } from "@rac-edge/core";
import * as v from "valibot";

export const MAX_BODY_BYTES = 1024 * 1024;
/**
 * Deeper JSON is refused: recursive code (messages, merges) would exhaust the stack, and SQLite's
 * JSON functions stop at 1000 levels, so a deeper stored value would break later reads.
 */
export const MAX_JSON_DEPTH = 100;

/** Whether arrays and objects nest deeper than `limit`; iterative, so any depth is safe to check. */
function nestedDeeperThan(value: unknown, limit: number): boolean {
  const pending: [unknown, number][] = [[value, 0]];
  while (pending.length > 0) {
    const [item, depth] = pending.pop()!;
    if (item === null || typeof item !== "object") continue;
    if (depth >= limit) return true;
    for (const child of Object.values(item)) pending.push([child, depth + 1]);
  }
  return false;
}

/**
 * Reads a JSON object body the way DRF's JSONParser does: no content type and no body is `{}`,
 * another content type 415, malformed JSON 400, anything but an object a non-field error.
 */
export async function readObject(request: Request): Promise<Record<string, unknown>> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES) throw errors.tooLarge(MAX_BODY_BYTES);
  const bytes = await request.arrayBuffer();
  if (bytes.byteLength > MAX_BODY_BYTES) throw errors.tooLarge(MAX_BODY_BYTES);
  const type = (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (type === "" && bytes.byteLength === 0) return {};
  if (type !== "application/json" && !(type.startsWith("application/") && type.endsWith("+json"))) {
    throw errors.unsupportedMediaType(request.headers.get("content-type") ?? "");
  }
  const text = new TextDecoder().decode(bytes);
  if (text.trim() === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw errors.badRequest(`JSON parse error - ${(error as Error).message}`);
  }
  if (nestedDeeperThan(value, MAX_JSON_DEPTH)) throw errors.badRequest(`JSON parse error - nested deeper than ${MAX_JSON_DEPTH} levels`);
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

export async function readBody<S extends v.GenericSchema>(request: Request, schema: S): Promise<v.InferOutput<S>> {
  return validate(schema, await readObject(request));
}
