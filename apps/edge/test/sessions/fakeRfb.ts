/**
 * vitest globalSetup (runs in Node, outside workerd): fake RFB 3.8 servers for the session tests.
 * Each port is one kind of server; after ServerInit every server echoes the client's bytes back, so a
 * test sees exactly what the edge forwarded. A ClientCutText saying "bye" makes the server hang up.
 * VNC Authentication is checked with Node's OpenSSL (triple DES with the key three times is single DES),
 * independently of the Worker's own DES.
 */
import { createCipheriv, randomBytes } from "node:crypto";
import http from "node:http";
import net from "node:net";
import type { TestProject } from "vitest/node";

export const FAKE_PASSWORD = "fake-pass";

const stats = { authAttempts: 0, authFailures: 0, connections: 0 };

const reverse = (byte: number) => {
  let out = 0;
  for (let i = 0; i < 8; i++) out |= ((byte >> i) & 1) << (7 - i);
  return out;
};

function expectedResponse(password: string, challenge: Buffer): Buffer {
  const key = Buffer.alloc(8);
  for (let i = 0; i < Math.min(8, password.length); i++) key[i] = reverse(password.charCodeAt(i));
  const cipher = createCipheriv("des-ede3-ecb", Buffer.concat([key, key, key]), null);
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(challenge), cipher.final()]);
}

const SERVER_INIT = (() => {
  const name = Buffer.from("fake desktop");
  const init = Buffer.alloc(24);
  init.writeUInt16BE(64, 0);
  init.writeUInt16BE(48, 2);
  Buffer.from([32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0]).copy(init, 4);
  init.writeUInt32BE(name.length, 20);
  return Buffer.concat([init, name]);
})();

/** Reads exact byte counts from a socket. */
function reader(socket: net.Socket) {
  let buffered = Buffer.alloc(0);
  let waiting: (() => void) | null = null;
  socket.on("data", (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    waiting?.();
  });
  return async (length: number): Promise<Buffer> => {
    while (buffered.length < length) await new Promise<void>((resolve) => (waiting = resolve));
    const out = buffered.subarray(0, length);
    buffered = buffered.subarray(length);
    return out;
  };
}

type Kind = "vncAuth" | "none" | "veNCrypt";

async function serve(socket: net.Socket, kind: Kind) {
  stats.connections++;
  const read = reader(socket);
  socket.write("RFB 003.008\n");
  await read(12);
  socket.write(Buffer.from(kind === "vncAuth" ? [1, 2] : kind === "none" ? [1, 1] : [1, 19]));
  const chosen = (await read(1))[0];
  if (kind === "vncAuth" && chosen === 2) {
    stats.authAttempts++;
    const challenge = randomBytes(16);
    socket.write(challenge);
    const response = await read(16);
    if (!response.equals(expectedResponse(FAKE_PASSWORD, challenge))) {
      stats.authFailures++;
      const reason = Buffer.from("Authentication failed");
      const failure = Buffer.alloc(8);
      failure.writeUInt32BE(1, 0);
      failure.writeUInt32BE(reason.length, 4);
      socket.end(Buffer.concat([failure, reason]));
      return;
    }
  } else if (!(kind === "none" && chosen === 1)) {
    socket.destroy();
    return;
  }
  socket.write(Buffer.alloc(4)); // SecurityResult OK
  await read(1); // ClientInit
  socket.write(SERVER_INIT);
  socket.removeAllListeners("data");
  socket.on("data", (chunk: Buffer) => {
    if (chunk.includes(Buffer.from("bye"))) socket.end();
    else socket.write(chunk);
  });
}

/** Listens on a port the system picks (several checkouts may run these tests at once) and answers it. */
function listen(server: net.Server | http.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve((server.address() as net.AddressInfo).port));
  });
}

export default async function setup(project: TestProject) {
  const servers: (net.Server | http.Server)[] = [];
  const serving = async (server: net.Server | http.Server) => {
    servers.push(server);
    return listen(server);
  };
  const kind = (name: Kind) =>
    net.createServer((socket) => {
      socket.on("error", () => {});
      void serve(socket, name).catch(() => socket.destroy());
    });
  // A port nobody listens on: taken from the system, then let go.
  const closed = net.createServer();
  const unreachable = await listen(closed);
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  project.provide("fakeRfbPorts", {
    vncAuth: await serving(kind("vncAuth")),
    none: await serving(kind("none")),
    veNCrypt: await serving(kind("veNCrypt")),
    unreachable,
    // The tests ask here how many VNC Authentication attempts the servers have seen.
    stats: await serving(http.createServer((_, response) => response.end(JSON.stringify(stats)))),
  });
  return async () => {
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  };
}
