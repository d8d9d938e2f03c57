import { readFileSync } from "node:fs";
import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { readClientModels } from "./scripts/client-models.mjs";

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
            BOOTSTRAP_TOKEN: "rac-edge-test-bootstrap-token-0123456789",
            BOOTSTRAP_EMAIL: "admin@test",
            // Every answer carries the request's D1 cost (Server-Timing); the query-cost tests read it.
            SERVER_TIMING: "true",
            // test/fuzz.test.ts: cases per property for a longer local run (empty: the CI default).
            FUZZ_RUNS: process.env.FUZZ_RUNS ?? "",
            // authentik's client models, read from its package: every answer is checked against them.
            CLIENT_MODELS: readClientModels(),
          },
          // test/ssh: the sshd fixture (keys, user) and its log, read from the Node side.
          serviceBindings: {
            // globalSetup (test/node/globalSetup.ts) names the folder once it has picked sshd's port.
            SSHD: (request: Request) => {
              const file = new URL(request.url).pathname === "/log" ? "sshd.log" : "fixture.json";
              return new Response(readFileSync(path.join(process.env.RAC_SSHD_DIR ?? "", file)));
            },
          },
        },
      }),
    ],
    test: {
      setupFiles: ["./test/apply-migrations.ts"],
      // Fake RFB servers in Node for the session tests (test/sessions/); their ports reach the tests by `inject`.
      // test/node/globalSetup.ts: builds the SSH module and starts sshd for test/ssh/.
      globalSetup: ["./test/sessions/fakeRfb.ts", "./test/node/globalSetup.ts"],
      // Two files at a time even on two cores: a file spends much of its time starting workerd and waiting on D1.
      maxWorkers: 2,
      reporters: ["default", "json"],
      outputFile: { json: "reports/vitest.json" },
    },
  };
});
