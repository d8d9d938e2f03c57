#!/usr/bin/env node
// The test command: lint, typecheck and every test suite (vitest in Node, vitest in workerd,
// the core under Deno, the end-to-end browser tests), then one line summing every suite:
// "N passed, N failed", with ", N skipped" when any test was skipped (RAC_E2E=skip); skipped never counts as passed.
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const packages = ["packages", "apps"].flatMap((dir) =>
  readdirSync(path.join(root, dir)).map((name) => path.join(root, dir, name)),
);
for (const dir of packages) rmSync(path.join(dir, "reports"), { recursive: true, force: true });

/** Runs a command to its end: whether it succeeded, and its output when `quiet` (else shown as it comes). */
const run = (command, args, quiet = false) =>
  new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: quiet ? ["ignore", "pipe", "pipe"] : "inherit" });
    const output = [];
    child.stdout?.on("data", (chunk) => output.push(chunk));
    child.stderr?.on("data", (chunk) => output.push(chunk));
    child.on("error", (error) => resolve({ ok: false, output: String(error) }));
    child.on("close", (code) => resolve({ ok: code === 0, output: Buffer.concat(output).toString("utf8") }));
  });
// Lint beside the suites rather than before them (its output is shown once the suites are done).
const [linted, widths, tested] = await Promise.all([
  run("biome", ["check", "."], true),
  run(process.execPath, [path.join(root, "scripts", "line-length.mjs")], true),
  run("turbo", ["run", "typecheck", "test", "--continue", "--output-logs=new-only"]),
]);
process.stdout.write(linted.output + widths.output);
const lint = linted.ok && widths.ok;
const suites = tested.ok;

let passed = 0;
let failed = 0;
let skipped = 0;
const readReport = (dir, file) => {
  const full = path.join(dir, "reports", file);
  return existsSync(full) ? readFileSync(full, "utf8") : null;
};
/** The reports a package's test script writes: a suite that stopped before writing one failed. */
const expectedReports = (dir) => {
  const manifest = path.join(dir, "package.json");
  const script = existsSync(manifest) ? (JSON.parse(readFileSync(manifest, "utf8")).scripts?.test ?? "") : "";
  return [...(script.includes("vitest") ? ["vitest.json"] : []), ...(script.includes("deno") ? ["deno.xml"] : [])];
};
for (const dir of packages) {
  for (const file of expectedReports(dir)) {
    if (readReport(dir, file) !== null) continue;
    console.error(`${path.relative(root, dir)}: no ${file}: the suite stopped before reporting (counted as 1 failed)`);
    failed += 1;
  }
  const vitest = readReport(dir, "vitest.json");
  if (vitest) {
    for (const file of JSON.parse(vitest).testResults) {
      const count = (...statuses) => file.assertionResults.filter((test) => statuses.includes(test.status)).length;
      const notRun = count("pending", "skipped", "todo");
      passed += count("passed");
      failed += count("failed");
      // A file that failed without a failing test (an import error, a failed beforeAll) fails its unrun tests.
      if (file.status === "failed" && count("failed") === 0) failed += Math.max(1, notRun);
      else skipped += notRun;
    }
  }
  const deno = readReport(dir, "deno.xml");
  if (deno) {
    const totals = /<testsuites[^>]*tests="(\d+)"[^>]*failures="(\d+)"[^>]*errors="(\d+)"/.exec(deno);
    if (totals) {
      passed += Number(totals[1]) - Number(totals[2]) - Number(totals[3]);
      failed += Number(totals[2]) + Number(totals[3]);
    }
  }
}
if (!lint) console.error("lint failed (biome check . or scripts/line-length.mjs)");
if (!suites) console.error("typecheck or a test suite failed");
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ""}`);
process.exit(lint && suites && failed === 0 && passed > 0 ? 0 : 1);
