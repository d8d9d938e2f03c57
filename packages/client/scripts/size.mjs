#!/usr/bin/env node
// The client's cost to a consumer that imports createClient: bundled by esbuild (tree-shaking,
// minified, ESM, as a browser or Worker build would), then gzipped. Measures the built dist/ and
// the built @rac-edge/core it depends on; writes SIZE.md. A report, not a test.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const client = path.resolve(import.meta.dirname, "..");
const BUDGET = 8 * 1024;

const result = await build({
  stdin: { contents: 'export { createClient } from "@rac-edge/client";', resolveDir: client, loader: "js" },
  alias: { "@rac-edge/client": path.join(client, "dist/index.js") },
  bundle: true,
  minify: true,
  treeShaking: true,
  format: "esm",
  platform: "neutral",
  target: "es2022",
  write: false,
  metafile: true,
});
const code = result.outputFiles[0].contents;
const gzipped = gzipSync(code, { level: 9 }).length;
const inputs = Object.entries(Object.values(result.metafile.outputs)[0].inputs)
  .filter(([, input]) => input.bytesInOutput > 0)
  .sort(([, a], [, b]) => b.bytesInOutput - a.bytesInOutput)
  .map(([file, input]) => {
    const name = file.replace(/^.*node_modules\//, "").replace(/^\.\.\/core\//, "@rac-edge/core/");
    return `| \`${name}\` | ${input.bytesInOutput} |`;
  });
const kib = (bytes) => `${(bytes / 1024).toFixed(2)} KiB`;
const line = `createClient, minified + gzipped: ${kib(gzipped)} (${gzipped} bytes; minified ${kib(code.length)}); \
budget ${kib(BUDGET)}: ${gzipped <= BUDGET ? "within" : "OVER"}`;
console.log(line);
writeFileSync(
  path.join(client, "SIZE.md"),
  `# Bundle size of @rac-edge/client

Measured by \`pnpm --dir packages/client run size\` (esbuild, \`import { createClient } from "@rac-edge/client"\`,
bundled with tree-shaking, minified, ESM, then gzip -9). Budget: 8 KiB.

${line}

| input | bytes in the minified bundle |
| --- | --- |
${inputs.join("\n")}
`,
);
