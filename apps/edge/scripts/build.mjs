#!/usr/bin/env node
// `pnpm build` for the Worker: the bundle `wrangler deploy` would upload (dist/), then the local D1
// database migrated, so a plain `wrangler dev` afterwards serves the API with its tables.
import { spawnSync } from "node:child_process";
import path from "node:path";

const app = path.resolve(import.meta.dirname, "..");
const wrangler = (...args) => {
  // CI=true: wrangler asks no questions (migrations apply would prompt for confirmation).
  const { status } = spawnSync("wrangler", args, { cwd: app, stdio: "inherit", env: { ...process.env, CI: "true" } });
  if (status !== 0) process.exit(status ?? 1);
};
wrangler("deploy", "--dry-run", "--outdir", "dist");
wrangler("d1", "migrations", "apply", "DB", "--local");
