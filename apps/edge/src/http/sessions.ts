import { type D1Sessions, d1Sessions } from "../repositories/sessions.ts";

/**
 * A client sends back the `x-d1-bookmark` of its last answer; this request's reads then see at least
 * that state (src/repositories/sessions.ts), and the answer carries the latest bookmark.
 */
export const BOOKMARK_HEADER = "x-d1-bookmark";

export const requestSessions = (db: D1Database, request: Request): D1Sessions =>
  d1Sessions(db, request.headers.get(BOOKMARK_HEADER) ?? "");
