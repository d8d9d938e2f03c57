/** What the OpenAPI document says about one operation: the descriptor's prose with its schemas. */
import type * as v from "valibot";

/** A path or query parameter. */
export interface ParamDoc {
  /** The name on the wire; path parameters default to the router's name. */
  name?: string;
  type: "string" | "integer" | "boolean" | "uuid" | "number";
  description: string;
  /** The values a choice parameter accepts. */
  enum?: readonly string[];
  /** May be given more than once (`?managed=a&managed=b`). */
  repeatable?: boolean;
}

/** Error statuses an operation may answer beyond the ones every operation can (403, 429, 500, 503). */
export type ErrorStatus = 400 | 404 | 409 | 410 | 412 | 422;

export interface OperationDoc {
  summary: string;
  /** Behaviour, and how it differs from authentik where it does. */
  description?: string;
  /** Path parameters by the router's name (`:key`). */
  path?: Record<string, ParamDoc>;
  query?: ParamDoc[];
  /** The JSON request body (its input type is documented); 413 and 415 come with it. */
  body?: { schema: v.GenericSchema; required: boolean; description?: string };
  success: {
    status: 200 | 201 | 204;
    description: string;
    /** The answer: one object, a bare array of it, or authentik's paginated list of it. */
    schema?: v.GenericSchema;
    shape?: "object" | "array" | "page";
  };
  /** When each further error status is answered. */
  errors?: Partial<Record<ErrorStatus, string>>;
  /**
   * HTTP preconditions: `read` answers an ETag and honours If-None-Match (304); `write` honours If-Match
   * (412) and answers the new ETag; `idempotent` (a POST) honours Idempotency-Key (replay, 422).
   */
  conditional?: "read" | "write" | "idempotent";
  /** Answers without a token (`security: []`, no 403). */
  public?: boolean;
  /** drf-spectacular's id (`providers_rac_list`); derived from the path when absent. */
  operationId?: string;
}
