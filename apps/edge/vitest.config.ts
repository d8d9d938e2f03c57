import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(import.meta.dirname, "migrations"));
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.jsonc" },
        remoteBindings: false,
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            BOOTSTRAP_TOKEN: "test-bootstrap-token",
            BOOTSTRAP_EMAIL: "admin@test",
            // test/fuzz.test.ts: cases per property for a longer local run (empty: the CI default).
            FUZZ_RUNS: process.env.FUZZ_RUNS ?? "",
          },
        },
      }),
    ],
    test: {
      setupFiles: ["./test/apply-migrations.ts"],
      // Fake RFB servers in Node for the session tests (test/sessions/); their ports reach the tests by `inject`.
      globalSetup: ["./test/sessions/fakeRfb.ts"],
      reporters: ["default", "json"],
      outputFile: { json: "reports/vitest.json" },
    },
  };
});
