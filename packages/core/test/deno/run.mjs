#!/usr/bin/env node
// Runs the core's vitest files unchanged under Deno, offline: everything they import comes from
// the install step's node_modules. `vitest` maps to the shim next to this file, valibot to its own
// ESM build, and expect and fast-check (CommonJS and bare-specifier imports Deno cannot resolve
// without reading package.json) are bundled by esbuild into a temporary directory first. Deno reads
// no package.json (it would rewrite the root one from pnpm-workspace.yaml) and type-checks nothing:
// `tsc` checks the same files (packages/core/tsconfig.json includes test/).
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";

const core = path.resolve(import.meta.dirname, "../..");
const require = createRequire(path.join(core, "package.json"));
const vendor = mkdtempSync(path.join(tmpdir(), "rac-edge-core-deno-"));
let status = 1;
try {
  // ES module entries, so the bundles have the named exports the tests import.
  const entries = {
    expect: 'export { expect } from "expect";',
    "fast-check": 'export * from "fast-check"; export { default } from "fast-check";',
  };
  for (const [name, contents] of Object.entries(entries)) {
    await build({
      stdin: { contents, resolveDir: core, sourcefile: `${name}-entry.js` },
      bundle: true,
      format: "esm",
      platform: "node",
      outfile: path.join(vendor, `${name}.js`),
      logLevel: "error",
      // CommonJS inside an ES module bundle needs require, __filename and __dirname.
      banner: {
        js: [
          'import { createRequire as __createRequire } from "node:module";',
          'import { fileURLToPath as __fileURLToPath } from "node:url";',
          "const require = __createRequire(import.meta.url);",
          "const __filename = __fileURLToPath(import.meta.url);",
          'const __dirname = __fileURLToPath(new URL(".", import.meta.url));',
        ].join(" "),
      },
    });
  }
  const url = (file) => pathToFileURL(file).href;
  const importMap = {
    imports: {
      vitest: url(path.join(core, "test/deno/vitest.ts")),
      valibot: url(path.join(path.dirname(require.resolve("valibot")), "index.mjs")),
      expect: url(path.join(vendor, "expect.js")),
      "fast-check": url(path.join(vendor, "fast-check.js")),
    },
  };
  writeFileSync(path.join(vendor, "import_map.json"), JSON.stringify(importMap, null, 2));
  const deno = path.join(core, "node_modules/.bin/deno");
  const args = [
    "test",
    "--allow-env",
    "--allow-read",
    "--no-check",
    "--no-config",
    "--no-lock",
    "--no-prompt",
    "--no-remote",
    "--no-npm",
  ];
  args.push(`--import-map=${path.join(vendor, "import_map.json")}`, "--junit-path=reports/deno.xml", "test/");
  status =
    spawnSync(deno, args, { cwd: core, stdio: "inherit", env: { ...process.env, DENO_NO_PACKAGE_JSON: "1" } }).status ??
    1;
} finally {
  rmSync(vendor, { recursive: true, force: true });
}
process.exit(status);
