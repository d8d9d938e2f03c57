import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // test/deno/ runs under Deno against a Worker (test/deno/run.mjs), not here.
    exclude: ["test/deno/**", "node_modules/**"],
    // The test command (scripts/test.mjs) sums every suite's JSON report.
    reporters: ["default", "json"],
    outputFile: { json: "reports/vitest.json" },
  },
});
