import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 600_000,
    // The four browser files at once, two at a time: each waits on wrangler dev and Chromium more than it computes.
    // Their ports differ (RAC_E2E_PORTS, RAC_E2E_SIGNIN_PORTS, RAC_E2E_CONSOLE_PORTS, RAC_E2E_SSH_PORTS).
    maxWorkers: 2,
    reporters: ["default", "json"],
    outputFile: { json: "reports/vitest.json" },
  },
});
