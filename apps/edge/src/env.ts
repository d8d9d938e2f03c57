export interface Env {
  DB: D1Database;
  /** Set per request by the API router (not a binding): the primary's session for authentication. */
  DB_PRIMARY?: D1Database;
  /** When set, the superuser `akadmin` exists and holds an API token with this key. */
  BOOTSTRAP_TOKEN?: string;
  BOOTSTRAP_EMAIL?: string;
  /** Counts failed authentication per client address (wrangler.jsonc `ratelimits`). */
  AUTH_FAILURES?: RateLimit;
  /** Comma-separated origins allowed by CORS (`https://a.example,https://b.example`); unset: CORS off. */
  CORS_ORIGINS?: string;
  /** "true": every response carries `Server-Timing` with the request's D1 cost (rows read, written, round trips). */
  SERVER_TIMING?: string;
  /** Workers static assets (apps/web/dist): the session pages and noVNC. */
  ASSETS?: Fetcher;
  /** The operator's allowlist of session targets (see `parseTargets` in core); unset: any target. */
  RAC_TARGETS?: string;
  /** The session sockets' revocation poll in milliseconds (default 30 s). */
  RAC_REVOCATION_POLL_MS?: string;
  /** Days an audit event is kept before the Cron Trigger sweeps it (default 90). */
  EVENTS_RETENTION_DAYS?: string;
}
