declare namespace Cloudflare {
  interface Env {
    DB: D1Database;
    BOOTSTRAP_TOKEN: string;
    BOOTSTRAP_EMAIL: string;
    SERVER_TIMING: string;
    TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
    /** Cases per fuzz property (test/fuzz.test.ts); empty for the default. */
    FUZZ_RUNS: string;
    AUTH_FAILURES: RateLimit;
    /** What `@goauthentik/api` declares (scripts/client-models.mjs), for test/clientModels.ts. */
    CLIENT_MODELS: unknown;
    /** test/ssh: the sshd fixture (GET /) and its log (GET /log). */
    SSHD: Fetcher;
  }
  // Types `exports.default` from cloudflare:workers as the Worker's own entry.
  interface GlobalProps {
    mainModule: typeof import("../src/index.ts");
  }
}
