#!/usr/bin/env node
// The Deno suite of the built packages against a real Worker: migrates a fresh local D1, starts
// `wrangler dev` on a free loopback port, runs `deno test` (JUnit to reports/deno.xml), then stops
// the Worker. Bounded (generously: other suites share the two cores): migrations 5 minutes, the Worker
// answers within 3 minutes, the suite runs within 5 minutes.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

const client = path.resolve(import.meta.dirname, "../..");
const edge = path.resolve(client, "../../apps/edge");
const wrangler = path.join(edge, "node_modules/wrangler/bin/wrangler.js");
const deno = path.join(client, "node_modules/.bin/deno");
const state = mkdtempSync(path.join(tmpdir(), "rac-edge-deno-"));
const token = `deno-${randomBytes(16).toString("hex")}`;
const env = { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" };
const loopback = ["127.0.0.1", "localhost", process.env.NO_PROXY ?? process.env.no_proxy].filter(Boolean).join(",");

const freePort = () =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

async function waitForWorker(url, worker, deadline) {
  while (Date.now() < deadline) {
    if (worker.exitCode !== null) throw new Error(`wrangler dev exited with ${worker.exitCode}`);
    try {
      // Any answer (403 without a token) means the Worker is listening.
      const response = await fetch(`${url}/api/v3/schema/`, { signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error("wrangler dev did not answer within 3 minutes");
}

let worker;
let status = 1;
const output = [];
try {
  const migrate = spawnSync(
    process.execPath,
    [wrangler, "d1", "migrations", "apply", "DB", "--local", "--persist-to", state],
    {
      cwd: edge,
      env,
      encoding: "utf8",
      timeout: 300_000,
    },
  );
  if (migrate.status !== 0) throw new Error(`migrations failed:\n${migrate.stdout}\n${migrate.stderr}`);
  const vars = path.join(state, "test.env");
  writeFileSync(vars, `BOOTSTRAP_TOKEN=${token}\nBOOTSTRAP_EMAIL=deno@rac-edge.test\n`);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  worker = spawn(
    process.execPath,
    [
      wrangler,
      "dev",
      "--ip",
      "127.0.0.1",
      "--port",
      String(port),
      "--persist-to",
      state,
      // An env file of its own: wrangler then ignores a developer's apps/edge/.dev.vars.
      "--env-file",
      vars,
      "--show-interactive-dev-session=false",
      "--log-level",
      "warn",
    ],
    { cwd: edge, env, stdio: ["ignore", "pipe", "pipe"], detached: true },
  );
  worker.stdout.on("data", (chunk) => output.push(chunk));
  worker.stderr.on("data", (chunk) => output.push(chunk));
  await waitForWorker(url, worker, Date.now() + 180_000);
  const result = spawnSync(
    deno,
    [
      "test",
      `--allow-net=127.0.0.1:${port}`,
      "--allow-env=RAC_EDGE_URL,RAC_EDGE_TOKEN",
      "--allow-read",
      "--no-config",
      "--no-lock",
      "--no-prompt",
      "--import-map=test/deno/import_map.json",
      "--junit-path=reports/deno.xml",
      "test/deno/",
    ],
    // The Worker is on loopback: no proxy in the environment (Deno's fetch honours HTTP_PROXY) may stand in between.
    {
      cwd: client,
      env: {
        ...env,
        DENO_NO_PACKAGE_JSON: "1",
        RAC_EDGE_URL: url,
        RAC_EDGE_TOKEN: token,
        NO_PROXY: loopback,
        no_proxy: loopback,
      },
      stdio: "inherit",
      timeout: 300_000,
    },
  );
  status = result.status ?? 1;
} catch (error) {
  console.error(String(error));
  console.error(Buffer.concat(output).toString("utf8").slice(-4000));
} finally {
  // The Worker and its workerd children: the whole process group we started.
  if (worker?.pid !== undefined && worker.exitCode === null) {
    const exited = new Promise((resolve) => worker.once("exit", resolve));
    const stop = (signal) => {
      try {
        process.kill(-worker.pid, signal);
      } catch {
        // already gone
      }
    };
    stop("SIGTERM");
    const timer = setTimeout(() => stop("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  }
  rmSync(state, { recursive: true, force: true, maxRetries: 3 });
}
process.exit(status);
