#!/usr/bin/env node
// `pnpm bench`: the API under `wrangler dev` on local D1 next to a baseline Worker in the same
// runtime, both driven by autocannon over loopback with bounded request counts. Writes RESULTS.md,
// then copies its summary into README.md (readme.mjs).
//
// Options: --quick (fewer requests), --connections=N (autocannon connections, default 1),
// --out=FILE (write the results elsewhere and leave README.md alone).
// BENCH_EDGE=<dir> benchmarks another checkout of apps/edge (e.g. the previous commit) the same way.
// BENCH_PORT_BASE / BENCH_INSPECTOR_BASE: the first ports of the servers (4 of each), instead of any free ones.
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { gzipSync } from "node:zlib";
import autocannon from "autocannon";
import { updateReadme } from "./readme.mjs";
import { benchSessions, spliceSessions } from "./sessions.mjs";

const here = import.meta.dirname;
const edge = path.resolve(process.env.BENCH_EDGE ?? path.join(here, "../apps/edge"));
const tmp = path.join(here, ".tmp");
const TOKEN = "rac-edge-bench-admin-token-0123456789abcdef";
const option = (name) => process.argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
const QUICK = process.argv.includes("--quick");
const OUT = option("out") ? path.resolve(option("out")) : path.join(here, "RESULTS.md");
/** Requests per scenario, split into ROUNDS that alternate with the baseline. */
const AMOUNT = QUICK ? 300 : 3000;
const ROUNDS = QUICK ? 5 : 10;
/** Unrecorded requests before each measured chunk: a Worker idle for a while answers slowly at first. */
const WARMUP = 20;
/**
 * One connection by default: each request runs alone, so its latency is its own cost and not the
 * queue in front of it (2 cores are shared by both Workers, autocannon and whatever else runs).
 */
const CONNECTIONS = Number(option("connections") ?? 1);

rmSync(tmp, { recursive: true, force: true });
mkdirSync(tmp, { recursive: true });

// Local observability (a trace store in the dev server, no production counterpart) writes every
// span to SQLite on this machine; it is off for both Workers so that does not count as request cost.
const childEnv = { ...process.env, CI: "true", X_LOCAL_OBSERVABILITY: "false" };

const wrangler = (args, cwd) => {
  const result = spawnSync("wrangler", args, { cwd, encoding: "utf8", env: childEnv });
  if (result.status !== 0) throw new Error(`wrangler ${args.join(" ")} failed:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
};

/** A port nothing listens on now (ports in use by other runs are skipped). */
const freePort = () =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

const children = [];
/** Ends a server and everything it started (wrangler runs workerd and esbuild under it). */
const stop = (child) => {
  try {
    process.kill(-child.pid, "SIGTERM");
  } catch {
    // already gone
  }
};
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    for (const child of children) stop(child);
    process.exit(130);
  });
}

/**
 * Ports of the next server: BENCH_PORT_BASE and BENCH_INSPECTOR_BASE, counted up, keep a run in a given
 * range (machines shared by several runs); otherwise any free ports. Never wrangler's default inspector port.
 */
let served = 0;
const nextPorts = async () => {
  const index = served++;
  const base = process.env.BENCH_PORT_BASE;
  const inspector = process.env.BENCH_INSPECTOR_BASE;
  return {
    port: base ? Number(base) + index : await freePort(),
    inspector: inspector ? Number(inspector) + index : await freePort(),
  };
};

/** Starts `wrangler dev` and resolves once it answers; returns the process and the startup time. */
async function serve(cwd, name, extra = []) {
  const { port, inspector } = await nextPorts();
  const started = performance.now();
  const args = ["dev", "--port", String(port), "--inspector-port", String(inspector), "--ip", "127.0.0.1"];
  const child = spawn("wrangler", [...args, "--persist-to", path.join(tmp, `state-${name}`), ...extra], {
    cwd,
    stdio: "ignore",
    env: childEnv,
    detached: true, // its own process group, so stop() reaches workerd too
  });
  children.push(child);
  for (let i = 0; i < 600; i++) {
    try {
      const first = performance.now();
      const response = await fetch(`http://127.0.0.1:${port}/`);
      await response.arrayBuffer();
      return { port, readyMs: first - started, firstRequestMs: performance.now() - first };
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`wrangler dev for ${name} did not start`);
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

/**
 * `amount` requests of one scenario; returns every response time in milliseconds (autocannon's own
 * histogram keeps whole milliseconds and only 2xx answers, too coarse at one connection).
 */
async function load(port, scenario, amount) {
  const latencies = [];
  const started = performance.now();
  const instance = autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: CONNECTIONS,
    amount,
    requests: scenario.requests,
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
  });
  const statuses = new Map();
  instance.on("response", (_client, status, _bytes, milliseconds) => {
    latencies.push(milliseconds);
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
  });
  const result = await instance;
  const expected = scenario.status ?? [200, 201];
  const wrong = [...statuses].filter(([status]) => !expected.includes(status));
  if (wrong.length > 0 || result.errors > 0 || result.timeouts > 0) {
    throw new Error(
      `${scenario.name}: unexpected answers ${JSON.stringify(wrong)}, \
${result.errors} errors, ${result.timeouts} timeouts`,
    );
  }
  return { latencies, seconds: (performance.now() - started) / 1000 };
}

/**
 * ROUNDS rounds of [baseline, ...scenarios], each chunk after its own warm-up; pools each scenario.
 * A scenario runs against its own `port` (the API with 100 or with 10,000 connection tokens).
 */
async function measure(baselinePort, scenarios) {
  const all = [
    { name: "baseline: one D1 query, fixed JSON", port: baselinePort, requests: [{ method: "GET", path: "/" }] },
    ...scenarios,
  ];
  const pooled = all.map((scenario) => ({ scenario, latencies: [], seconds: 0 }));
  for (let round = 0; round < ROUNDS; round++) {
    for (const entry of pooled) {
      await load(entry.scenario.port, entry.scenario, WARMUP);
      const run = await load(
        entry.scenario.port,
        entry.scenario,
        Math.round((entry.scenario.amount ?? AMOUNT) / ROUNDS),
      );
      entry.latencies.push(...run.latencies);
      entry.seconds += run.seconds;
    }
  }
  const summaries = pooled.map(({ scenario, latencies, seconds }) => {
    const sorted = latencies.sort((a, b) => a - b);
    return {
      name: scenario.name,
      median: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      rps: sorted.length / seconds,
      total: sorted.length,
    };
  });
  const base = summaries[0];
  return summaries.map((summary) => ({ ...summary, ratio: summary.median / base.median }));
}

/** D1's figures in a response's Server-Timing (the API sets it with SERVER_TIMING=true), or null. */
function d1Timing(response) {
  const match = /rows_read=(\d+) rows_written=(\d+) batches=(\d+)/.exec(response.headers.get("server-timing") ?? "");
  return match && { rowsRead: Number(match[1]), rowsWritten: Number(match[2]), batches: Number(match[3]) };
}

/**
 * One pass of a scenario's requests (as autocannon sends them, context included) outside the timed
 * rounds; answers the rows D1 read and wrote for them, summed from their Server-Timing headers.
 */
async function d1Cost(scenario) {
  const context = {};
  const total = { rowsRead: 0, rowsWritten: 0, batches: 0 };
  for (const step of scenario.requests) {
    const request = step.setupRequest ? step.setupRequest({ ...step }, context) : step;
    const response = await fetch(`http://127.0.0.1:${scenario.port}${request.path}`, {
      method: request.method,
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json", ...request.headers },
      body: request.body,
    });
    const body = await response.text();
    step.onResponse?.(response.status, body, context);
    const timing = d1Timing(response);
    if (timing === null) return null;
    for (const key of Object.keys(total)) total[key] += timing[key];
  }
  return total;
}

const api = (port, method, route, body) =>
  fetch(`http://127.0.0.1:${port}${route}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  }).then(async (response) => {
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${text}`);
    return text === "" ? null : JSON.parse(text);
  });

/** A file of SQL that adds `count` connection tokens to the endpoint (far-future expiry, so all are live). */
function tokenRows(count, name, ids) {
  const rows = [];
  for (let i = 0; i < count; i++) {
    const uuid = createHash("sha256").update(`uuid-${i}`).digest("hex");
    const parts = [
      uuid.slice(0, 8),
      uuid.slice(8, 12),
      `4${uuid.slice(13, 16)}`,
      `8${uuid.slice(17, 20)}`,
      uuid.slice(20, 32),
    ];
    const id = parts.join("-");
    rows.push(`('${id}', ${ids.provider}, '${ids.endpoint}', ${ids.user}, 'hash-${i}', '{}', 0, 4102444800000)`);
  }
  const statements = [];
  for (let i = 0; i < rows.length; i += 500) {
    statements.push(
      `INSERT INTO connection_tokens (uuid, provider_id, endpoint_id, user_id, token_hash, settings, created, \
expires) VALUES ${rows.slice(i, i + 500).join(",\n")};`,
    );
  }
  const file = path.join(tmp, `tokens-${name}.sql`);
  writeFileSync(file, statements.join("\n"));
  return file;
}

/**
 * An API server on its own migrated database, a provider "listed" with an endpoint, and `tokens`
 * live connection tokens on it (made in SQL: 10,000 launches would take the run's time).
 */
async function apiWithTokens(name, tokens) {
  const state = path.join(tmp, `state-${name}`);
  wrangler(["d1", "migrations", "apply", "DB", "--local", "--persist-to", state], edge);
  const server = await serve(edge, name, ["--env-file", path.join(tmp, "vars")]);
  const call = (method, route, body) => api(server.port, method, route, body);
  const flow = await call("POST", "/api/v3/flows/instances/", {
    name: "bench",
    slug: "bench",
    title: "bench",
    designation: "authorization",
  });
  const listed = await call("POST", "/api/v3/providers/rac/", { name: "listed", authorization_flow: flow.pk });
  const endpoint = await call("POST", "/api/v3/rac/endpoints/", {
    name: "listed",
    provider: listed.pk,
    protocol: "rdp",
    host: "10.0.0.2",
    auth_mode: "static",
    maximum_connections: -1,
  });
  const me = await call("GET", "/api/v3/core/users/?username=akadmin");
  const sql = tokenRows(tokens, name, { provider: listed.pk, endpoint: endpoint.pk, user: me.results[0].pk });
  wrangler(["d1", "execute", "DB", "--local", "--persist-to", state, "--file", sql], edge);
  const listPath = `/api/v3/rac/connection_tokens/?provider=${listed.pk}&page_size=100`;
  const check = await call("GET", listPath);
  if (check.pagination.count !== tokens || check.results.length !== 100)
    throw new Error(`${name}: expected ${tokens} tokens, got ${check.pagination.count}`);
  return { server, call, flow, listPath };
}

try {
  // Each API database is migrated, then the bootstrap admin makes everything through the API.
  // SERVER_TIMING: every answer reports its D1 rows (read by d1Cost), as in local development.
  writeFileSync(path.join(tmp, "vars"), `BOOTSTRAP_TOKEN=${TOKEN}\nSERVER_TIMING=true\n`);
  const small = await apiWithTokens("api", 100);
  const medium = await apiWithTokens("api-1k", 1_000);
  const large = await apiWithTokens("api-10k", 10_000);
  const apiServer = small.server;
  const baselineServer = await serve(path.join(here, "baseline"), "baseline");
  const { flow, call } = small;
  const port = apiServer.port;

  const provider = await call("POST", "/api/v3/providers/rac/", {
    name: "bench",
    authorization_flow: flow.pk,
    delete_token_on_disconnect: true,
  });
  const endpoint = await call("POST", "/api/v3/rac/endpoints/", {
    name: "bench",
    provider: provider.pk,
    protocol: "rdp",
    host: "10.0.0.1:3389",
    auth_mode: "static",
    maximum_connections: -1,
  });

  const planned = [
    { name: "retrieve a provider", port, requests: [{ method: "GET", path: `/api/v3/providers/rac/${provider.pk}/` }] },
    {
      name: "PATCH a provider (seed body)",
      port,
      requests: [
        {
          method: "PATCH",
          path: `/api/v3/providers/rac/${provider.pk}/`,
          body: JSON.stringify({
            authentication_flow: flow.pk,
            settings: { "enable-wallpaper": "true" },
            authorization_flow: flow.pk,
            delete_token_on_disconnect: true,
            name: "bench",
            connection_expiry: "hours=1;minutes=30",
            property_mappings: [],
          }),
        },
      ],
    },
    { name: "list 100 connection tokens (100 rows)", port, requests: [{ method: "GET", path: small.listPath }] },
    {
      name: "list 100 connection tokens (1,000 rows)",
      port: medium.server.port,
      requests: [{ method: "GET", path: medium.listPath }],
    },
    {
      name: "list 100 connection tokens (10,000 rows)",
      port: large.server.port,
      requests: [{ method: "GET", path: large.listPath }],
    },
    {
      name: "launch + disconnect",
      port,
      amount: QUICK ? 300 : 2000,
      requests: [
        {
          method: "POST",
          path: `/api/v3/rac/endpoints/${endpoint.pk}/launch/`,
          body: "{}",
          onResponse: (status, body, context) => {
            if (status === 201) context.token = JSON.parse(body).token;
          },
        },
        {
          method: "POST",
          path: "/api/v3/rac/gateway/disconnect/",
          setupRequest: (request, context) => ({ ...request, body: JSON.stringify({ token: context.token }) }),
        },
      ],
    },
    {
      // wrangler dev sets CF-Connecting-IP, so after 20 failures a minute the limiter answers 429 (issue 10).
      name: "unauthorised request (403, then 429)",
      port,
      status: [403, 429],
      requests: [{ method: "GET", path: "/api/v3/providers/rac/", headers: { authorization: "Bearer nope" } }],
    },
  ];
  // D1 rows per request first (one pass each, untimed), then the timed rounds.
  const costs = new Map();
  for (const scenario of planned) costs.set(scenario.name, await d1Cost(scenario));
  const results = (await measure(baselineServer.port, planned)).map((r) => ({ ...r, d1: costs.get(r.name) ?? null }));

  // Bundle size: what `wrangler deploy` uploads (wrangler.jsonc sets `minify: true`).
  const outdir = path.join(tmp, "bundle");
  wrangler(["deploy", "--dry-run", "--outdir", outdir], edge);
  const bundle = readFileSync(path.join(outdir, "index.js"));
  // Modules loaded on demand (SSH, sessions, sign-in: find_additional_modules) count in `all`, not in the entry.
  const modules = readdirSync(outdir, { recursive: true }).filter((file) => /\.(js|mjs|wasm)$/.test(file));
  const all = modules.reduce((sum, file) => sum + statSync(path.join(outdir, file)).size, 0);
  const size = { minified: bundle.length, gzip: gzipSync(bundle).length, all, modules: modules.length };

  const fmt = (value) => value.toFixed(2);
  /** D1 rows read and written by one pass of the scenario ("n/a" for the baseline, which reports none). */
  const rows = (r) => (r.d1 ? `${r.d1.rowsRead} | ${r.d1.rowsWritten}` : "n/a | n/a");
  const row = (r) => {
    const latency = `${fmt(r.median)} | ${fmt(r.p99)} | ${Math.round(r.rps)} | ${r.total} | ${fmt(r.ratio)}x`;
    return `| ${r.name} | ${latency} | ${rows(r)} |`;
  };
  const list100 = results.find((r) => r.name.includes("(100 rows)"));
  const list1k = results.find((r) => r.name.includes("(1,000 rows)"));
  const list10k = results.find((r) => r.name.includes("(10,000 rows)"));
  const growth = list10k.median / list100.median;
  const readGrowth = (r) => r.d1.rowsRead / list100.d1.rowsRead;
  const readsMet = readGrowth(list1k) <= 1.5 && readGrowth(list10k) <= 1.5;
  const scenarios = results.slice(1);
  const worst = scenarios.reduce((a, b) => (b.ratio > a.ratio ? b : a));
  const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
  const verdict = (ok) => (ok ? "met" : "**missed**");
  const summary = `Measured on ${new Date().toISOString().slice(0, 10)} by \`pnpm bench\`${QUICK ? " --quick" : ""}
(${AMOUNT} requests a scenario, ${CONNECTIONS} connection${CONNECTIONS === 1 ? "" : "s"}, \`wrangler dev\` on local
D1; median latency in ms, and its ratio to a baseline Worker that runs one trivial D1 query, measured in alternating
rounds):

| scenario | median ms | p99 ms | ratio to baseline | D1 rows read | D1 rows written |
| --- | --- | --- | --- | --- | --- |
${results.map((r) => `| ${r.name} | ${fmt(r.median)} | ${fmt(r.p99)} | ${fmt(r.ratio)}x | ${rows(r)} |`).join("\n")}

- Every scenario's median at most 2x the baseline's: ${verdict(worst.ratio <= 2)} (highest: ${worst.name},
  ${fmt(worst.ratio)}x).
- The 100-token page at 10,000 rows at most 1.5x its cost at 100 rows: ${verdict(growth <= 1.5)} (${fmt(growth)}x).
- Its D1 rows read at 1,000 and 10,000 tokens at most 1.5x those at 100: ${verdict(readsMet)}
  (${list100.d1.rowsRead}, ${list1k.d1.rowsRead} and ${list10k.d1.rowsRead} rows: ${fmt(readGrowth(list1k))}x and
  ${fmt(readGrowth(list10k))}x).
- Worker entry module ${kib(size.minified)} minified (${kib(size.gzip)} gzip), target under 100 KiB:
  ${verdict(size.minified < 100 * 1024)}; all ${size.modules} modules together (incl. .wasm) ${kib(size.all)}.
- Cold start: \`wrangler dev\` answers ${(apiServer.readyMs / 1000).toFixed(1)} s after spawn (baseline
  ${(baselineServer.readyMs / 1000).toFixed(1)} s); the first request, which loads the Worker, takes
  ${apiServer.firstRequestMs.toFixed(0)} ms (baseline ${baselineServer.firstRequestMs.toFixed(0)} ms).`;

  const report = `# Benchmark results

Generated by \`pnpm bench\`${QUICK ? " --quick" : ""} on ${new Date().toISOString().slice(0, 10)} \
(${process.platform}, Node ${process.version}).

## Method

- Every Worker runs under \`wrangler dev\` (workerd, local D1) in the same run, on loopback: the API three times, on
  three databases (100 connection tokens; 1,000; 10,000), and the baseline Worker (\`bench/baseline\`), which answers a
  fixed JSON after one trivial D1 query (\`SELECT 1\`).
- D1 rows read and written: one untimed pass of each scenario's requests, summed from the \`Server-Timing\` header the
  API sends with \`SERVER_TIMING=true\` (D1's own \`meta\` of every statement of the request). Local D1 counts rows as
  production D1 bills them; the baseline Worker reports none.
- autocannon, ${CONNECTIONS} connection${CONNECTIONS === 1 ? "" : "s"}, ${AMOUNT} requests per scenario (launch + \
disconnect: ${QUICK ? 300 : 2000}), split into
  ${ROUNDS} rounds; every round runs the baseline and then each scenario, so a change in machine load (2 cores, shared)
  affects both sides of a ratio alike. Each chunk follows ${WARMUP} warm-up requests that are not counted.
- One connection: the latency is what one request costs end to end, not the time it waits behind the others.
  (With 8 connections on 2 cores the latency is mostly queueing; the ratios then follow throughput instead.)
- Latencies are every response's own time in milliseconds (from autocannon's response events; its built-in
  histogram keeps whole milliseconds). The ratio is the scenario's median over the baseline's median; both list
  sizes are measured in the same rounds, so their ratio to each other is not skewed by load that comes and goes.
- Local observability (the dev server's trace store, \`X_LOCAL_OBSERVABILITY\`) is off for every Worker: it writes
  every span to a SQLite file on this machine and has no production counterpart.
- The API runs as a superuser (the bootstrap token); the list filters by provider, so all of its rows match.

## Latency

| scenario | median ms | p99 ms | req/s | requests | ratio to baseline | D1 rows read | D1 rows written |
| --- | --- | --- | --- | --- | --- | --- | --- |
${results.map(row).join("\n")}

Targets: every scenario's median at most 2x the baseline's; the 100-token page at 10,000 rows at most 1.5x its
cost at 100 rows. Measured: 10,000 rows / 100 rows = **${fmt(growth)}x**; rows read ${fmt(readGrowth(list10k))}x \
(1,000 rows: ${fmt(readGrowth(list1k))}x).

## D1 round trips per request

What the latency mostly follows here (a batch is one round trip; \`apps/edge/test/queryCost.test.ts\` pins these). The
authentication query leads the batch of the reads that do not depend on the caller (the router's \`prefetching\`):

| request | round trips |
| --- | --- |
| baseline | 1 (\`SELECT 1\`) |
| retrieve a provider | 1: authentication (with the caller's grants) and the provider |
| PATCH a provider | 2: authentication and the provider, one batch (update, mappings, read-back); 3 when it brings a \
reference the provider does not hold yet (checked in one batch) |
| list connection tokens | 1: authentication, filter checks, count, page, the page's providers, endpoints and users; \
a caller who may not see every token reads the page again with their visibility (2) |
| launch + disconnect | 2 + 2: authentication and the endpoint, one batch; authentication, one batch |
| unauthorised request | 1: authentication |

## Bundle and cold start

| Worker bundle | size | target |
| --- | --- | --- |
| entry module, minified | ${kib(size.minified)} | under 100 KiB |
| entry module, minified + gzip | ${kib(size.gzip)} | |
| all ${size.modules} modules (loaded on demand: SSH, sessions, sign-in; .wasm) | ${kib(size.all)} | |

| cold start | API | baseline |
| --- | --- | --- |
| \`wrangler dev\` spawn to first answer | ${apiServer.readyMs.toFixed(0)} ms | ${baselineServer.readyMs.toFixed(0)} \
ms |
| first request after start | ${apiServer.firstRequestMs.toFixed(1)} ms | ${baselineServer.firstRequestMs.toFixed(1)} \
ms |

<!-- sessions:start -->
<!-- sessions:end -->

## Summary (copied into README.md by \`bench/readme.mjs\`)

<!-- summary:start -->
${summary}
<!-- sessions-summary:start -->
<!-- sessions-summary:end -->
<!-- summary:end -->
`;
  // The admin console's size section (bench/console-size.mjs) is kept across runs of this script.
  const previous = existsSync(OUT) ? readFileSync(OUT, "utf8") : "";
  const consoleSize = /<!-- console-size:start -->[\s\S]*<!-- console-size:end -->/.exec(previous)?.[0];
  writeFileSync(OUT, consoleSize ? `${report}\n${consoleSize}\n` : report);
  for (const child of children) stop(child);
  children.length = 0;
  // The data plane (bench/sessions.mjs) after the API servers are gone, so they do not share the cores.
  spliceSessions(OUT, await benchSessions());
  console.log(readFileSync(OUT, "utf8"));
  if (option("out") === undefined && !updateReadme())
    console.warn("README.md has no <!-- bench:start --> / <!-- bench:end --> markers; left alone.");
} finally {
  for (const child of children) stop(child);
}
