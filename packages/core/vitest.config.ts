import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // The test command (scripts/test.mjs) sums every suite's JSON report.
    reporters: ["default", "json"],
    outputFile: { json: "reports/vitest.json" },
  },
});
