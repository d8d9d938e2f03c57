#!/usr/bin/env node
// Bundles the code only some requests need into separate modules under src/generated/ (the SSH client, the VNC
// opener, the session bridge, Argon2 with its Wasm), which wrangler uploads next to the entry module through
// find_additional_modules and src/lazyModules.ts loads on first use: API requests never load or parse them.
import { copyFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { build } from "esbuild";

const edge = path.resolve(import.meta.dirname, "..");
const generated = path.join(edge, "src/generated");
const modules = {
  ssh: "src/sessions/ssh/module.ts",
  vnc: "src/sessions/vnc/opener.ts",
  bridge: "src/sessions/bridge.ts",
  argon2: "src/signin/argon2.ts",
};

// The Wasm stays a module of its own (workerd compiles no Wasm from bytes): copied beside the module importing it.
const require = createRequire(path.join(edge, "src/signin/argon2.ts"));
mkdirSync(generated, { recursive: true });
const wasmBeside = {
  name: "wasm-beside",
  setup(build) {
    build.onResolve({ filter: /\.wasm$/ }, (args) => {
      const file = require.resolve(args.path);
      copyFileSync(file, path.join(generated, path.basename(file)));
      return { path: `./${path.basename(file)}`, external: true };
    });
  },
};

await Promise.all(
  Object.entries(modules).map(([name, entry]) =>
    build({
      entryPoints: [path.join(edge, entry)],
      outfile: path.join(generated, `${name}.js`),
      bundle: true,
      format: "esm",
      platform: "neutral",
      target: "es2022",
      minify: true,
      external: ["cloudflare:*"],
      plugins: [wasmBeside],
      legalComments: "none",
      logLevel: "warning",
    }),
  ),
);
