#!/usr/bin/env node
// Local API: .dev.vars from the example when missing, local D1 migrated, then `wrangler dev`
// on http://localhost:8787. The bootstrap admin token is BOOTSTRAP_TOKEN from .dev.vars.
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, readFileSync } from "node:fs";
import path from "node:path";

const app = path.resolve(import.meta.dirname, "..");
const vars = path.join(app, ".dev.vars");
if (!existsSync(vars)) {
  copyFileSync(path.join(app, ".dev.vars.example"), vars);
  console.log("Created apps/edge/.dev.vars from .dev.vars.example");
}
const wrangler = (...args) => {
  const { status } = spawnSync("wrangler", args, { cwd: app, stdio: "inherit", env: { ...process.env, CI: "true" } });
  if (status !== 0) process.exit(status ?? 1);
};
wrangler("d1", "migrations", "apply", "DB", "--local");
const port = process.env.PORT ?? "8787";
// Local answers carry their D1 cost (Server-Timing) unless .dev.vars sets SERVER_TIMING itself.
const timing = /^SERVER_TIMING=/m.test(readFileSync(vars, "utf8")) ? [] : ["--var", "SERVER_TIMING:true"];
const args = ["dev", "--port", port, "--ip", "127.0.0.1", ...timing, ...process.argv.slice(2)];
spawnSync("wrangler", args, { cwd: app, stdio: "inherit" });
