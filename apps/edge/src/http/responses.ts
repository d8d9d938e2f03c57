import { ApiError, errors } from "@rac-edge/core";
import { apiErrorOf } from "./outcomes.ts";

const JSON_HEADERS = { "content-type": "application/json" };

export const json = (body: unknown, status = 200): Response =>
  new Response(JSON.stringify(body), { status, headers: JSON_HEADERS });
export const created = (body: unknown): Response => json(body, 201);
export const noContent = (): Response => new Response(null, { status: 204 });

/** The one place errors become HTTP: repository outcomes by their table, ApiErrors as they are, else a logged 500. */
export function errorResponse(thrown: unknown): Response {
  const error = apiErrorOf(thrown);
  if (error instanceof ApiError) {
    const response = json(error.body, error.status);
    for (const [name, value] of Object.entries(error.headers)) response.headers.set(name, value);
    return response;
  }
  console.error("unexpected error", error);
  const fault = errors.server();
  return json(fault.body, fault.status);
}
