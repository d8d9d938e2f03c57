export interface Env {
  DB: D1Database;
  /** When set, the superuser `akadmin` exists and holds an API token with this key. */
  BOOTSTRAP_TOKEN?: string;
  BOOTSTRAP_EMAIL?: string;
  /** "true": every response carries `Server-Timing` with the request's D1 cost (rows read, written, round trips). */
  SERVER_TIMING?: string;
}
