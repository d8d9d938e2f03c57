#!/usr/bin/env node
// `pnpm bench`: the API under `wrangler dev` on local D1 next to a baseline Worker in the same
// runtime, both driven by autocannon over loopback with bounded request counts. Writes RESULTS.md.
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import autocannon from "autocannon";

const here = import.meta.dirname;
const edge = path.resolve(here, "../apps/edge");
const tmp = path.join(here, ".tmp");
const API_PORT = 8788;
const BASELINE_PORT = 8789;
const TOKEN = "bench-admin-token";
const QUICK = process.argv.includes("--quick");
const AMOUNT = QUICK ? 300 : 3000;
const CONNECTIONS = 8;

rmSync(tmp, { recursive: true, force: true });
mkdirSync(tmp, { recursive: true });

const wrangler = (args, cwd) => {
  const result = spawnSync("wrangler", args, { cwd, encoding: "utf8", env: { ...process.env, CI: "true" } });
  if (result.status !== 0) throw new Error(`wrangler ${args.join(" ")} failed:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
};

/** Starts `wrangler dev` and resolves once it answers; returns the process and the startup time. */
async function serve(cwd, port, extra = []) {
  const started = performance.now();
  const child = spawn("wrangler", ["dev", "--port", String(port), "--ip", "127.0.0.1", "--persist-to", path.join(tmp, `state-${port}`), ...extra], {
    cwd,
    stdio: "ignore",
    env: { ...process.env, CI: "true" },
  });
  for (let i = 0; i < 600; i++) {
    try {
      const first = performance.now();
      const response = await fetch(`http://127.0.0.1:${port}/`);
      await response.arrayBuffer();
      return { child, readyMs: first - started, firstRequestMs: performance.now() - first };
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  child.kill();
  throw new Error(`wrangler dev on ${port} did not start`);
}

const api = (method, route, body) =>
  fetch(`http://127.0.0.1:${API_PORT}${route}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  }).then(async (response) => {
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${text}`);
    return text === "" ? null : JSON.parse(text);
  });

/** One autocannon run; latency in milliseconds. */
async function load(port, requests, amount = AMOUNT) {
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: CONNECTIONS,
    amount,
    requests,
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
  });
  if (result.non2xx > 0 && !requests[0].expectFailure) throw new Error(`${result.non2xx} non-2xx answers in ${requests[0].path}`);
  return { median: result.latency.p50, p99: result.latency.p99, rps: result.requests.average, total: result.requests.total };
}

/** SQL that adds connection tokens to the endpoint (far-future expiry, so all are live). */
function tokenRows(count, offset, ids) {
  const rows = [];
  for (let i = offset; i < offset + count; i++) {
    const uuid = createHash("sha256").update(`uuid-${i}`).digest("hex");
    const id = `${uuid.slice(0, 8)}-${uuid.slice(8, 12)}-4${uuid.slice(13, 16)}-8${uuid.slice(17, 20)}-${uuid.slice(20, 32)}`;
    rows.push(`('${id}', ${ids.provider}, '${ids.endpoint}', ${ids.user}, 'hash-${i}', '{}', 0, 4102444800000)`);
  }
  const statements = [];
  for (let i = 0; i < rows.length; i += 500) {
    statements.push(
      `INSERT INTO connection_tokens (uuid, provider_id, endpoint_id, user_id, token_hash, settings, created, expires) VALUES ${rows.slice(i, i + 500).join(",\n")};`,
    );
  }
  const file = path.join(tmp, `tokens-${offset}.sql`);
  writeFileSync(file, statements.join("\n"));
  return file;
}

const results = [];
const children = [];
try {
  // The API's database: migrated, then the bootstrap admin makes everything else through the API.
  writeFileSync(path.join(tmp, "vars"), `BOOTSTRAP_TOKEN=${TOKEN}\n`);
  wrangler(["d1", "migrations", "apply", "DB", "--local", "--persist-to", path.join(tmp, `state-${API_PORT}`)], edge);
  const apiServer = await serve(edge, API_PORT, ["--env-file", path.join(tmp, "vars")]);
  const baselineServer = await serve(path.join(here, "baseline"), BASELINE_PORT);
  children.push(apiServer.child, baselineServer.child);

  const flow = await api("POST", "/api/v3/flows/instances/", { name: "bench", slug: "bench", title: "bench", designation: "authorization" });
  const provider = await api("POST", "/api/v3/providers/rac/", { name: "bench", authorization_flow: flow.pk, delete_token_on_disconnect: true });
  const listed = await api("POST", "/api/v3/providers/rac/", { name: "listed", authorization_flow: flow.pk });
  const endpoint = await api("POST", "/api/v3/rac/endpoints/", {
    name: "bench",
    provider: provider.pk,
    protocol: "rdp",
    host: "10.0.0.1:3389",
    auth_mode: "static",
    maximum_connections: -1,
  });
  const listedEndpoint = await api("POST", "/api/v3/rac/endpoints/", {
    name: "listed",
    provider: listed.pk,
    protocol: "rdp",
    host: "10.0.0.2",
    auth_mode: "static",
    maximum_connections: -1,
  });
  const me = await api("GET", "/api/v3/core/users/?username=akadmin");
  const ids = { provider: listed.pk, endpoint: listedEndpoint.pk, user: me.results[0].pk };
  const executeSql = (file) => wrangler(["d1", "execute", "DB", "--local", "--persist-to", path.join(tmp, `state-${API_PORT}`), "--file", file], edge);

  const baseline = await load(BASELINE_PORT, [{ method: "GET", path: "/" }]);
  results.push({ name: "baseline: one D1 query, fixed JSON", ...baseline });
  const scenario = async (name, requests, amount) => results.push({ name, ...(await load(API_PORT, requests, amount)) });

  await scenario("retrieve a provider", [{ method: "GET", path: `/api/v3/providers/rac/${provider.pk}/` }]);
  await scenario("PATCH a provider (seed body)", [
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
  ]);
  executeSql(tokenRows(100, 0, ids));
  const listPath = `/api/v3/rac/connection_tokens/?provider=${listed.pk}&page_size=100`;
  await scenario("list 100 connection tokens (100 rows)", [{ method: "GET", path: listPath }]);
  executeSql(tokenRows(9900, 100, ids));
  const check = await api("GET", listPath);
  if (check.pagination.count !== 10000 || check.results.length !== 100) throw new Error(`expected 10,000 tokens, got ${check.pagination.count}`);
  await scenario("list 100 connection tokens (10,000 rows)", [{ method: "GET", path: listPath }]);
  await scenario(
    "launch + disconnect",
    [
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
    QUICK ? 300 : 2000,
  );
  await scenario("unauthorised request (403)", [
    { method: "GET", path: "/api/v3/providers/rac/", headers: { authorization: "Bearer nope" }, expectFailure: true },
  ]);

  // Bundle size: what `wrangler deploy` would upload, minified.
  const outdir = path.join(tmp, "bundle");
  wrangler(["deploy", "--dry-run", "--minify", "--outdir", outdir], edge);
  const bundle = readFileSync(path.join(outdir, "index.js"));
  const size = { minified: statSync(path.join(outdir, "index.js")).size, gzip: gzipSync(bundle).length };

  const base = results[0];
  const row = (r) =>
    `| ${r.name} | ${r.median.toFixed(2)} | ${r.p99.toFixed(2)} | ${Math.round(r.rps)} | ${r.total} | ${(r.median / base.median).toFixed(2)}x |`;
  const small = results.find((r) => r.name.includes("(100 rows)"));
  const large = results.find((r) => r.name.includes("(10,000 rows)"));
  const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
  const report = `# Benchmark results

Generated by \`pnpm bench\`${QUICK ? " --quick" : ""} on ${new Date().toISOString().slice(0, 10)} (${process.platform}, Node ${process.version}).
Both Workers run under \`wrangler dev\` (workerd, local D1) on loopback; autocannon with ${CONNECTIONS} connections
and ${AMOUNT} requests per scenario. Latency in milliseconds; the ratio is the scenario's median over the
baseline's median from the same run. Numbers move with the machine; the ratios are what to compare.

| scenario | median ms | p99 ms | req/s | requests | ratio to baseline |
| --- | --- | --- | --- | --- | --- |
${results.map(row).join("\n")}

Targets: every scenario's median at most 2x the baseline's; the 100-token page at 10,000 rows at most 1.5x its
cost at 100 rows. Measured: 10,000 rows / 100 rows = **${(large.median / small.median).toFixed(2)}x**.

| Worker bundle | size | target |
| --- | --- | --- |
| minified | ${kib(size.minified)} | under 150 KiB |
| minified + gzip | ${kib(size.gzip)} | |

| cold start | API | baseline |
| --- | --- | --- |
| \`wrangler dev\` spawn to first answer | ${apiServer.readyMs.toFixed(0)} ms | ${baselineServer.readyMs.toFixed(0)} ms |
| first request after start | ${apiServer.firstRequestMs.toFixed(1)} ms | ${baselineServer.firstRequestMs.toFixed(1)} ms |
`;
  writeFileSync(path.join(here, "RESULTS.md"), report);
  console.log(report);
} finally {
  for (const child of children) child.kill("SIGTERM");
}
