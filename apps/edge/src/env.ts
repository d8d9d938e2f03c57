export interface Env {
  DB: D1Database;
  /** When set, the superuser `akadmin` exists and holds an API token with this key. */
  BOOTSTRAP_TOKEN?: string;
  BOOTSTRAP_EMAIL?: string;
  /** Workers static assets (apps/web/dist): the session pages and noVNC. */
  ASSETS?: Fetcher;
  /** The operator's allowlist of session targets (see `parseTargets` in core); unset: any target. */
  RAC_TARGETS?: string;
  /** The session sockets' revocation poll in milliseconds (default 30 s). */
  RAC_REVOCATION_POLL_MS?: string;
}
