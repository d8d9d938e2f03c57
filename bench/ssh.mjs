#!/usr/bin/env node
// `pnpm bench:ssh`: the cost of SSH sessions through the Worker under `wrangler dev`, against Debian's sshd
// on loopback (apps/edge/test/node/sshd.ts): workerd CPU per SSH connection setup, terminal output
// throughput, and the size of what an API request loads. Writes SSH-RESULTS.md.
//
// CPU is read from /proc (utime + stime of every workerd process of the dev server) around a batch of
// sessions whose tokens were launched beforehand, so it counts the WebSocket upgrade, the token's D1
// bookkeeping, the SSH handshake (curve25519, host-key check, ed25519 login), the PTY shell and the close.
// Options: --quick (fewer sessions).
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { loadavg } from "node:os";
import path from "node:path";
import { Duplex } from "node:stream";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { startSshd } from "../apps/edge/test/node/sshd.ts";

const here = import.meta.dirname;
const edge = path.join(here, "../apps/edge");
const tmp = path.join(here, ".tmp-ssh");
const PORT = 8842;
const INSPECTOR = 9342;
const SSHD_PORT = 2244;
const TOKEN = "bench-ssh-admin-token";
const QUICK = process.argv.includes("--quick");
const SESSIONS = QUICK ? 30 : 200;
const OUTPUT_BYTES = 64 * 1024 * 1024;
const childEnv = { ...process.env, CI: "true", X_LOCAL_OBSERVABILITY: "false", WRANGLER_SEND_METRICS: "false" };
const TICKS = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim()) || 100;

rmSync(tmp, { recursive: true, force: true });

const run = (command, args) => {
  const result = spawnSync(command, args, { cwd: edge, encoding: "utf8", env: childEnv });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
};

/** CPU milliseconds used so far by every workerd process in the process group `group`. */
function workerdCpuMs(group) {
  let ticks = 0;
  for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    let stat;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    } catch {
      continue;
    }
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
    // fields[2] is the process group, [11] utime, [12] stime (man 5 proc, counted after the name).
    if (Number(fields[2]) === group && name.startsWith("workerd")) ticks += Number(fields[11]) + Number(fields[12]);
  }
  return (ticks * 1000) / TICKS;
}

const api = async (method, route, body) => {
  const response = await fetch(`http://127.0.0.1:${PORT}/api/v3${route}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${text}`);
  return text === "" ? null : JSON.parse(text);
};

/** Opens the token's socket and resolves with the bytes received once the server closes it. */
function session(token, onOpen = () => {}) {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${PORT}/ws/rac/${token}/`);
    socket.binaryType = "arraybuffer";
    let bytes = 0;
    let opened = false;
    socket.addEventListener("open", () => {
      opened = true;
      onOpen(socket);
    });
    socket.addEventListener("message", (event) => {
      bytes += event.data.byteLength ?? 0;
    });
    socket.addEventListener("close", (event) => {
      if (!opened) reject(new Error(`refused: ${event.code} ${event.reason}`));
      else resolve({ bytes, reason: event.reason });
    });
    socket.addEventListener("error", () => {
      if (!opened) reject(new Error("the upgrade failed"));
    });
  });
}

/**
 * The SSH client alone (the same source, bundled for Node, on Node's WebCrypto): CPU of this process per
 * connection setup (TCP, curve25519 kex, host-key check, ed25519 login, PTY + command, close), sshd excluded.
 */
async function clientOnlyCpu(fixture, count) {
  mkdirSync(tmp, { recursive: true });
  const outfile = path.join(tmp, "ssh-open.mjs");
  const entry = path.join(edge, "src/sessions/ssh/open.ts");
  await build({ entryPoints: [entry], outfile, bundle: true, format: "esm", platform: "neutral", logLevel: "warning" });
  const { openSsh } = await import(pathToFileURL(outfile).href);
  const context = {
    connect(hostname, port) {
      const socket = connect(port, hostname);
      const { readable, writable } = Duplex.toWeb(socket);
      const opened = new Promise((resolve, reject) => {
        socket.once("connect", resolve);
        socket.once("error", reject);
      });
      return { readable, writable, opened, close: async () => socket.destroy() };
    },
    trustOnFirstUse: async () => true,
  };
  const settings = {
    hostname: "127.0.0.1",
    port: String(SSHD_PORT),
    username: fixture.user,
    "private-key": fixture.keys.ed25519,
    "host-key": fixture.hostKeys["ssh-ed25519"],
    command: "true",
  };
  const one = async () => {
    const ssh = await openSsh(settings, context);
    const reader = ssh.readable.getReader();
    while (!(await reader.read()).done) {}
  };
  for (let i = 0; i < 5; i++) await one();
  const before = process.cpuUsage();
  for (let i = 0; i < count; i++) await one();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / count;
}

const sshd = await startSshd(SSHD_PORT, SSHD_PORT + 1);
let server;
try {
  const clientCpu = await clientOnlyCpu(sshd.fixture, SESSIONS);
  run("wrangler", ["d1", "migrations", "apply", "DB", "--local", "--persist-to", path.join(tmp, "state")]);
  writeFileSync(path.join(tmp, "vars"), `BOOTSTRAP_TOKEN=${TOKEN}\n`);
  const devArgs = ["dev", "--port", String(PORT), "--inspector-port", String(INSPECTOR), "--ip", "127.0.0.1"];
  devArgs.push("--persist-to", path.join(tmp, "state"), "--env-file", path.join(tmp, "vars"));
  server = spawn("wrangler", devArgs, { cwd: edge, stdio: "ignore", env: childEnv, detached: true });
  for (let i = 0; ; i++) {
    try {
      const response = await fetch(`http://127.0.0.1:${PORT}/api/v3/flows/instances/`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      if (response.status === 200) break;
    } catch {
      // not up yet
    }
    if (i > 900) throw new Error("wrangler dev did not start");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const flow = await api("POST", "/flows/instances/", {
    name: "b",
    slug: "b",
    title: "b",
    designation: "authorization",
  });
  const provider = await api("POST", "/providers/rac/", { name: "bench", authorization_flow: flow.pk });
  const endpoint = (settings) =>
    api("POST", "/rac/endpoints/", {
      name: `ssh-${crypto.randomUUID().slice(0, 6)}`,
      provider: provider.pk,
      protocol: "ssh",
      host: `127.0.0.1:${SSHD_PORT}`,
      auth_mode: "static",
      maximum_connections: -1,
      settings: { username: sshd.fixture.user, "private-key": sshd.fixture.keys.ed25519, ...settings },
    });
  const launch = async (pk) => (await api("POST", `/rac/endpoints/${pk}/launch/`, {})).token;

  // Connection setup: `command: true` ends each session right after the shell starts.
  const quick = await endpoint({ command: "true", "host-key": sshd.fixture.hostKeys["ssh-ed25519"] });
  for (let i = 0; i < 5; i++) await session(await launch(quick.pk)); // warm-up: module load, JIT
  const tokens = [];
  for (let i = 0; i < SESSIONS; i++) tokens.push(await launch(quick.pk));
  const cpuBefore = workerdCpuMs(server.pid);
  const started = performance.now();
  for (const token of tokens) {
    const { reason } = await session(token);
    if (reason !== "the remote command exited with status 0") throw new Error(`unexpected end: ${reason}`);
  }
  const setupCpu = (workerdCpuMs(server.pid) - cpuBefore) / SESSIONS;
  const setupWall = (performance.now() - started) / SESSIONS;

  // The route's own cost without SSH: the same upgrade refused because the target's port is closed (token
  // lookup, allowlist, connect attempt, the refusal recorded in D1), to subtract from the figure above.
  const closed = await endpoint({ port: String(SSHD_PORT + 5) });
  const refusedTokens = [];
  for (let i = 0; i < SESSIONS; i++) refusedTokens.push(await launch(closed.pk));
  const refusedBefore = workerdCpuMs(server.pid);
  for (const token of refusedTokens)
    await session(token).then(
      () => Promise.reject(new Error("opened")),
      () => {},
    );
  const refusedCpu = (workerdCpuMs(server.pid) - refusedBefore) / SESSIONS;

  // Throughput: the server writes OUTPUT_BYTES to the PTY; the client counts what arrives until the close.
  const bulk = await endpoint({ command: `head -c ${OUTPUT_BYTES} /dev/zero | tr '\\0' 'x' | fold -w 159` });
  const bulkToken = await launch(bulk.pk);
  const bulkCpu = workerdCpuMs(server.pid);
  const bulkStarted = performance.now();
  const { bytes } = await session(bulkToken);
  const seconds = (performance.now() - bulkStarted) / 1000;
  const mib = bytes / 1024 / 1024;
  const cpuPerMib = (workerdCpuMs(server.pid) - bulkCpu) / mib;

  // What an API request loads: the entry module, without the SSH client (a separate module).
  const outdir = path.join(tmp, "dist");
  run("wrangler", ["deploy", "--dry-run", "--outdir", outdir]);
  const size = (file) => {
    const content = readFileSync(path.join(outdir, file));
    return { raw: content.length, gzip: gzipSync(content).length, text: content.toString("utf8") };
  };
  const entry = size("index.js");
  const ssh = size("generated/ssh.js");
  const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
  const leaked = ["curve25519", "kex-strict", "openssh-key-v1"].filter((marker) => entry.text.includes(marker));

  const report = `# SSH benchmark results

Generated by \`pnpm bench:ssh\` on ${new Date().toISOString().slice(0, 10)} (${process.platform}, Node \
${process.version}).
The Worker under \`wrangler dev\` (workerd, local D1), Debian's sshd on loopback, a Node WebSocket client; 2 shared \
cores.

| measure | value |
| --- | --- |
| SSH client CPU per connection setup (the same code on Node's WebCrypto, sshd excluded), mean of ${SESSIONS} | \
**${clientCpu.toFixed(1)} ms** |
| workerd CPU per SSH session setup (upgrade, D1 bookkeeping, curve25519 kex, host-key check, ed25519 login, PTY \
shell, close), mean of ${SESSIONS} | **${setupCpu.toFixed(1)} ms** |
| workerd CPU per upgrade refused before SSH (closed port: token lookup, connect attempt, refusal in D1) | \
${refusedCpu.toFixed(1)} ms |
| the SSH part by difference (session setup minus refused upgrade) | **${(setupCpu - refusedCpu).toFixed(1)} ms** |
| wall time per session setup (same sessions, one after another) | ${setupWall.toFixed(1)} ms |
| terminal output through the Worker (${mib.toFixed(0)} MiB from the PTY to the WebSocket client) | \
**${(mib / seconds).toFixed(1)} MiB/s** |
| workerd CPU per MiB of terminal output (AES-GCM decrypt, window updates, WebSocket frames) | \
${cpuPerMib.toFixed(1)} ms |
| entry module (what every API request loads) | ${kib(entry.raw)} (${kib(entry.gzip)} gzipped) |
| SSH client module (\`generated/ssh.js\`, loaded only by SSH sessions) | ${kib(ssh.raw)} (${kib(ssh.gzip)} gzipped) |
| SSH code found in the entry module | ${leaked.length === 0 ? "none" : leaked.join(", ")} |

Load average when the run ended: ${loadavg()
    .map((n) => n.toFixed(1))
    .join(", ")} (CPU time grows on a busy machine).

Target: under 20 ms of CPU per connection setup. The first row is the SSH client alone; the workerd figure is the
whole dev server's workerd processes (two under \`wrangler dev\`), so it adds the runtime's own work for the
WebSocket, the session routes and D1 (which runs inside workerd locally, unlike production), an upper bound for
what a session costs in a Worker. The difference row takes away what the same route costs when it refuses the
session before SSH starts; what remains is the SSH handshake, login, shell and close, plus the WebSocket and the
connect/disconnect bookkeeping of an opened session. Production CPU limits per plan and a remote target's network \
latency are not measured here.
`;
  writeFileSync(path.join(here, "SSH-RESULTS.md"), report);
  console.log(report);
} finally {
  if (server) {
    try {
      process.kill(-server.pid, "SIGTERM");
    } catch {
      // already gone
    }
  }
  sshd.stop();
  rmSync(tmp, { recursive: true, force: true });
}
