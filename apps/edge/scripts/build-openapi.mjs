#!/usr/bin/env node
// The OpenAPI document, built from core's resource descriptors (openapi/document.ts): openapi.json (checked in,
// so reviews see the document's changes) and src/generated/openapi.js, the separately loaded module the Worker
// serves it from (src/lazyModules.ts). `--module-only`: only the module, from the checked-in openapi.json.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";

const edge = path.resolve(import.meta.dirname, "..");
const checkedIn = path.join(edge, "openapi.json");
const generated = path.join(edge, "src/generated");

if (!process.argv.includes("--module-only")) {
  // The generator is TypeScript with @valibot/to-json-schema: bundled for Node, run once, thrown away.
  const bundle = path.join(edge, "node_modules/.cache/openapi-document.mjs");
  await build({
    entryPoints: [path.join(edge, "openapi/document.ts")],
    outfile: bundle,
    bundle: true,
    format: "esm",
    platform: "node",
    logLevel: "warning",
  });
  const { buildDocument } = await import(pathToFileURL(bundle).href);
  rmSync(bundle);
  writeFileSync(checkedIn, `${JSON.stringify(buildDocument(), null, 2)}\n`);
}
// Served as one compact line, the text the Worker used to build at run time.
const text = JSON.stringify(JSON.parse(readFileSync(checkedIn, "utf8")));
mkdirSync(generated, { recursive: true });
writeFileSync(path.join(generated, "openapi.js"), `export default ${JSON.stringify(text)};\n`);
