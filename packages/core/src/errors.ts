/**
 * authentik's error bodies: field errors `{"field": ["message"]}` (object-level ones under
 * `non_field_errors`) or `{"detail": "..."}`. One error type carries status and body everywhere:
 * the Worker throws it and renders it in one place, the client throws it for every non-2xx answer.
 */
export type FieldErrors = Record<string, string[]>;
export type DetailBody = { detail: string; code?: string };
export type ErrorBody = FieldErrors | DetailBody;

export class ApiError extends Error {
  readonly status: number;
  readonly body: ErrorBody;
  /** HTTP headers the answer carries besides the body (a 429's `Retry-After`). */
  readonly headers: Readonly<Record<string, string>>;
  constructor(status: number, body: ErrorBody, headers: Record<string, string> = {}) {
    super(typeof body.detail === "string" ? body.detail : JSON.stringify(body));
    this.name = "ApiError";
    this.status = status;
    this.body = body;
    this.headers = headers;
  }
}

export const isApiError = (value: unknown): value is ApiError => value instanceof ApiError;

const detail = (status: number, text: string) => new ApiError(status, { detail: text });

/** The errors the API answers with, with authentik's texts. */
export const errors = {
  validation: (fields: FieldErrors) => new ApiError(400, fields),
  field: (field: string, message: string) => new ApiError(400, { [field]: [message] }),
  nonField: (message: string) => new ApiError(400, { non_field_errors: [message] }),
  badRequest: (text: string) => detail(400, text),
  notAuthenticated: () => detail(403, "Authentication credentials were not provided."),
  tokenInvalid: () => detail(403, "Token invalid/expired"),
  unsupportedAuth: () => detail(403, "Unsupported authentication type"),
  /** DRF's throttling answer; `Retry-After` carries the same wait. */
  throttled: (seconds: number) => {
    const body = { detail: `Request was throttled. Expected available in ${seconds} seconds.` };
    return new ApiError(429, body, { "retry-after": String(seconds) });
  },
  forbidden: () => detail(403, "You do not have permission to perform this action."),
  notFound: () => detail(404, "Not found."),
  invalidPage: () => detail(404, "Invalid page."),
  methodNotAllowed: (method: string) => detail(405, `Method "${method}" not allowed.`),
  conflict: (text: string) => detail(409, text),
  /** A conditional write (If-Match) whose representation changed since the client read it. */
  preconditionFailed: () =>
    detail(
      412,
      "The object changed since it was read (If-Match does not match its current ETag); nothing was changed.",
    ),
  /** An Idempotency-Key reused for a different request. */
  idempotencyMismatch: () =>
    detail(422, "This Idempotency-Key was already used for a different request; use a new key for a new request."),
  tooLarge: (limit: number) => detail(413, `Request body exceeds the limit of ${limit} bytes.`),
  unsupportedMediaType: (type: string) => detail(415, `Unsupported media type "${type}" in request.`),
  server: () => detail(500, "A server error occurred."),
} as const;
