import { errors, pythonType, toFieldErrors } from "@rac-edge/core";
import * as v from "valibot";

export const MAX_BODY_BYTES = 1024 * 1024;

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
