/**
 * The HTTP protocol features around the CRUD routes, one module each (one file here: a test file's start-up in
 * workerd costs more than most of these take): D1 bookmarks, ETag preconditions, Idempotency-Key,
 * effective settings, and the typed client using them.
 */
import "./protocol/bookmarks.ts";
import "./protocol/preconditions.ts";
import "./protocol/idempotency.ts";
import "./protocol/effectiveSettings.ts";
import "./protocol/clientPreconditions.ts";
