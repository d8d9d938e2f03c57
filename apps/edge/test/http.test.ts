/**
 * What every request meets, one module each (one file here: a test file's start-up in workerd costs more than
 * most of these take): authentication and wire conventions, public routes, caching, CORS and OPTIONS, and the
 * console's files.
 */
import "./http/wire.ts";
import "./http/operator.ts";
import "./http/console.ts";
