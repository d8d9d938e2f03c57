#!/usr/bin/env node
// The VNC data plane under `wrangler dev`: throughput and round-trip latency through the Worker's bridge next to a
// direct TCP connection to the same RFB server (alternating, in one run), and a real page's time from load to first
// frame (Debian's Xtigervnc and Chromium, skipped when they are missing). Run by run.mjs after the API benchmark, or
// alone (`node sessions.mjs`): it fills the sessions section and summary lines of RESULTS.md between their markers.
//
// Ports: BENCH_SESSION_PORTS="wrangler,inspector,rfb,display" (default: free ports and display :36).
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { launchChromium, pixel, sameColour } from "../apps/e2e/src/browser.ts";
import { stopAll, waitFor } from "../apps/e2e/src/processes.ts";
import { api, scratch, startDesktop, startEdge, vncEndpoint } from "../apps/e2e/src/servers.ts";
import { PACKAGES } from "../apps/e2e/src/system.ts";

const here = import.meta.dirname;
const MiB = 1024 * 1024;
const BULK = 64 * MiB;
const ROUNDS = 3;
const PINGS = 500;
const FRAMES = 5;

const freePort = () =>
  new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

/** A synthetic RFB 3.8 server (security None): a FramebufferUpdateRequest gets BULK bytes, a KeyEvent one byte. */
function rfbServer(port) {
  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    let stage = 0;
    let pending = Buffer.alloc(0);
    socket.write("RFB 003.008\n");
    socket.on("error", () => {});
    socket.on("data", (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      for (;;) {
        const need = [12, 1, 1, 0][stage] ?? (pending[0] === 3 ? 10 : 8);
        if (stage === 3) {
          const init = Buffer.alloc(24);
          init.writeUInt16BE(1024, 0);
          init.writeUInt16BE(768, 2);
          socket.write(init);
          stage = 4;
          continue;
        }
        if (pending.length < need) return;
        const message = pending.subarray(0, need);
        pending = pending.subarray(need);
        if (stage === 0) socket.write(Buffer.from([1, 1]));
        else if (stage === 1) socket.write(Buffer.alloc(4));
        if (stage < 3) stage++;
        else if (message[0] === 3) sendBulk(socket);
        else socket.write(Buffer.from([2])); // Bell: the round trip's answer
      }
    });
  });
  return new Promise((resolve) => server.listen(port, "127.0.0.1", () => resolve(server)));
}

function sendBulk(socket) {
  const chunk = Buffer.alloc(MiB, 7);
  let sent = 0;
  const more = () => {
    while (sent < BULK) {
      sent += MiB;
      if (!socket.write(chunk)) return socket.once("drain", more);
    }
  };
  more();
}

/** A byte pipe over a TCP socket or a WebSocket: exact reads, or counting bytes without keeping them. */
function pipe(kind, target) {
  let buffered = Buffer.alloc(0);
  let wake = null;
  let counting = null;
  const push = (bytes) => {
    if (counting) {
      counting.received += bytes.length;
      if (counting.received >= counting.target) counting.done();
      return;
    }
    buffered = buffered.length === 0 ? bytes : Buffer.concat([buffered, bytes]);
    wake?.();
  };
  let send;
  let close;
  const opened = new Promise((resolve, reject) => {
    if (kind === "tcp") {
      const socket = net.connect(target, "127.0.0.1", resolve);
      socket.setNoDelay(true);
      socket.on("data", push);
      socket.on("error", reject);
      send = (bytes) => socket.write(bytes);
      close = () => socket.destroy();
    } else {
      const socket = new WebSocket(target, ["binary"]);
      socket.binaryType = "arraybuffer";
      socket.onopen = resolve;
      socket.onerror = () => reject(new Error(`WebSocket ${target} failed`));
      socket.onmessage = (event) => push(Buffer.from(event.data));
      send = (bytes) => socket.send(bytes);
      close = () => socket.close();
    }
  });
  return {
    opened,
    send: (bytes) => send(bytes),
    close: () => close(),
    async read(length) {
      while (buffered.length < length) await new Promise((resolve) => (wake = resolve));
      const out = buffered.subarray(0, length);
      buffered = buffered.subarray(length);
      return out;
    },
    /** Resolves once `target` more bytes arrived (none are kept). */
    count(target) {
      return new Promise((done) => {
        counting = { received: buffered.length, target, done };
        buffered = Buffer.alloc(0);
      });
    },
  };
}

/** The client's side of the handshake (both paths end at the same ServerInit). */
async function handshake(connection) {
  await connection.opened;
  await connection.read(12);
  connection.send(Buffer.from("RFB 003.008\n"));
  await connection.read(2);
  connection.send(Buffer.from([1]));
  await connection.read(4);
  connection.send(Buffer.from([1]));
  await connection.read(24);
  return connection;
}

async function throughput(open) {
  const connection = await handshake(open());
  const arrived = connection.count(BULK);
  const started = performance.now();
  connection.send(Buffer.from([3, 0, 0, 0, 0, 0, 4, 0, 3, 0]));
  await arrived;
  const seconds = (performance.now() - started) / 1000;
  connection.close();
  return BULK / MiB / seconds;
}

async function roundTrips(open) {
  const connection = await handshake(open());
  const key = Buffer.from([4, 1, 0, 0, 0, 0, 0, 0x61]);
  for (let i = 0; i < 20; i++) {
    connection.send(key);
    await connection.read(1);
  }
  const times = [];
  for (let i = 0; i < PINGS; i++) {
    const started = performance.now();
    connection.send(key);
    await connection.read(1);
    times.push(performance.now() - started);
  }
  connection.close();
  return times;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
};
const fmt = (value, digits = 2) => value.toFixed(digits);
const verdict = (ok) => (ok ? "met" : "**not met**");

/** First frame: page load until the desktop's root colour is on the canvas, FRAMES times on fresh tokens. */
async function firstFrames(dir, edge, display) {
  const missing = Object.entries(PACKAGES).filter(([binary]) => !existsSync(binary));
  if (missing.length > 0) return { skipped: `missing ${missing.map(([, name]) => name).join(" ")}` };
  const desktop = await startDesktop(dir, display, "bench-pw", "#204080");
  const endpoint = await vncEndpoint(edge, "bench desktop", `127.0.0.1:${desktop.port}`, { password: "bench-pw" });
  const context = await launchChromium(dir);
  const times = [];
  try {
    for (let i = 0; i < FRAMES + 1; i++) {
      const launched = await api(edge, "POST", `/rac/endpoints/${endpoint.pk}/launch/`, {});
      const page = await context.newPage();
      const started = performance.now();
      await page.goto(`${edge.base}/if/rac/${launched.token}/`);
      const drawn = async () => sameColour(await pixel(page, 1000, 740), [0x20, 0x40, 0x80]);
      await waitFor("the first frame", async () => ((await drawn()) ? true : undefined));
      if (i > 0) times.push(performance.now() - started); // the first load also warms the Worker and the browser
      await page.close();
    }
  } finally {
    await context.close();
  }
  return { times };
}

export async function benchSessions() {
  const [wranglerPort, inspectorPort, rfbPort, display] = process.env.BENCH_SESSION_PORTS?.split(",").map(Number) ?? [
    await freePort(),
    await freePort(),
    await freePort(),
    36,
  ];
  const dir = scratch("rac-bench-sessions-");
  const server = await rfbServer(rfbPort);
  try {
    const edge = await startEdge(dir, wranglerPort, inspectorPort, {});
    const endpoint = await vncEndpoint(edge, "bench rfb", `127.0.0.1:${rfbPort}`, {});
    const bridged = async () => {
      const launched = await api(edge, "POST", `/rac/endpoints/${endpoint.pk}/launch/`, {});
      return `ws://127.0.0.1:${wranglerPort}/ws/rac/${launched.token}/`;
    };
    const rates = { direct: [], bridge: [] };
    const rtts = { direct: [], bridge: [] };
    for (let round = 0; round < ROUNDS; round++) {
      rates.direct.push(await throughput(() => pipe("tcp", rfbPort)));
      const url = await bridged();
      rates.bridge.push(await throughput(() => pipe("ws", url)));
      rtts.direct.push(...(await roundTrips(() => pipe("tcp", rfbPort))));
      const pingUrl = await bridged();
      rtts.bridge.push(...(await roundTrips(() => pipe("ws", pingUrl))));
    }
    const frames = await firstFrames(dir, edge, display);
    return report(rates, rtts, frames);
  } finally {
    await stopAll();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function report(rates, rtts, frames) {
  const rate = { direct: median(rates.direct), bridge: median(rates.bridge) };
  const rtt = { direct: median(rtts.direct), bridge: median(rtts.bridge) };
  const added = rtt.bridge - rtt.direct;
  const frame = frames.times ? median(frames.times) : null;
  const ratio = ({ direct, bridge }) => fmt(bridge / direct);
  const each = frames.times?.map((time) => fmt(time, 0)).join(", ");
  const frameText = frame === null ? `not measured (${frames.skipped})` : `median ${fmt(frame, 0)} ms (${each})`;
  const section = `## The VNC data plane

Measured on ${new Date().toISOString().slice(0, 10)} (${process.platform}, Node ${process.version}).

- A synthetic RFB 3.8 server in Node on loopback; the same client code reads it directly over TCP and through
  \`wrangler dev\`'s \`/ws/rac/<token>/\` (Node's WebSocket), alternating in ${ROUNDS} rounds. Throughput: one
  FramebufferUpdateRequest answered with ${BULK / MiB} MiB in 1 MiB writes. Round trip: a KeyEvent answered by one
  byte, ${PINGS} sequential round trips a round after 20 unrecorded.
- First frame: Debian's Chromium (playwright-core) loads \`/if/rac/<token>/\` for a fresh token until Xtigervnc's
  root colour is on noVNC's canvas (VNC Authentication at the edge included), ${FRAMES} loads after one warm-up.

| measure | direct TCP | through the Worker | ratio |
| --- | --- | --- | --- |
| throughput (MiB/s, median of ${ROUNDS}) | ${fmt(rate.direct, 1)} | ${fmt(rate.bridge, 1)} | ${ratio(rate)}x |
| round trip median (ms) | ${fmt(rtt.direct, 3)} | ${fmt(rtt.bridge, 3)} | ${ratio(rtt)}x |
| round trip p99 (ms) | ${fmt(percentile(rtts.direct, 0.99), 3)} | ${fmt(percentile(rtts.bridge, 0.99), 3)} | |

Page load to first frame: ${frameText}.`;
  const summary = [
    `The VNC data plane, measured on ${new Date().toISOString().slice(0, 10)} (\`bench/sessions.mjs\`, loopback):`,
    "",
    `- VNC bridge throughput at least 20 MiB/s: ${verdict(rate.bridge >= 20)} ` +
      `(${fmt(rate.bridge, 1)} MiB/s; direct TCP ${fmt(rate.direct, 1)} MiB/s).`,
    `- Added round-trip latency under 1 ms: ${verdict(added < 1)} ` +
      `(${fmt(added, 3)} ms; ${fmt(rtt.bridge, 3)} vs ${fmt(rtt.direct, 3)} ms direct).`,
    frame === null
      ? `- First frame under 1.5 s: not measured (${frames.skipped}).`
      : `- Page load to first VNC frame under 1.5 s: ${verdict(frame < 1500)} (median ${fmt(frame, 0)} ms).`,
  ].join("\n");
  return { section, summary };
}

const SECTION = ["<!-- sessions:start -->", "<!-- sessions:end -->"];
const SUMMARY = ["<!-- sessions-summary:start -->", "<!-- sessions-summary:end -->"];

/** Puts the results between their markers in RESULTS.md (run.mjs writes the markers). */
export function spliceSessions(file, { section, summary }) {
  let text = readFileSync(file, "utf8");
  for (const [[start, end], content] of [
    [SECTION, section],
    [SUMMARY, summary],
  ]) {
    const from = text.indexOf(start);
    const to = text.indexOf(end);
    if (from < 0 || to < 0) throw new Error(`${file} has no ${start} marker: regenerate it with pnpm bench`);
    text = `${text.slice(0, from + start.length)}\n${content}\n${text.slice(to)}`;
  }
  writeFileSync(file, text);
}

if (process.argv[1] && path.resolve(process.argv[1]) === import.meta.filename) {
  const results = await benchSessions();
  console.log(`${results.section}\n\n${results.summary}`);
  spliceSessions(path.join(here, "RESULTS.md"), results);
  const { updateReadme } = await import("./readme.mjs");
  updateReadme();
}
