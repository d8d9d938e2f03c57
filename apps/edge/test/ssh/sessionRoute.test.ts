import { exports } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { sessionTiming } from "../../src/sessions/routes.ts";
import { openSsh } from "../../src/sessions/ssh/open.ts";
import { launched, makeEndpoint } from "../connectionFixtures.ts";
import { BASE, del, get } from "../helpers.ts";
import { baseSettings, fixture, readUntil, testContext } from "./helpers.ts";

const defaultPoll = sessionTiming.pollMs;
afterEach(() => {
  sessionTiming.pollMs = defaultPoll;
});

async function sshEndpoint(settings: Record<string, string>) {
  const f = await fixture();
  return makeEndpoint({ protocol: "ssh", host: `127.0.0.1:${f.port}`, settings: { username: f.user, ...settings } });
}

/** The socket of a launch, accepted; its text so far and its close event. */
async function openSocket(secret: string) {
  const response = await exports.default.fetch(
    new Request(`${BASE}/ws/rac/${secret}/`, { headers: { upgrade: "websocket" } }),
  );
  const socket = response.webSocket;
  if (socket === null) return { response, socket: null } as const;
  socket.binaryType = "arraybuffer";
  socket.accept();
  const decoder = new TextDecoder();
  const state = { text: "", closed: null as CloseEvent | null };
  socket.addEventListener("message", (event) => {
    if (event.data instanceof ArrayBuffer) state.text += decoder.decode(event.data, { stream: true });
  });
  const closed = new Promise<CloseEvent>((resolve) =>
    socket.addEventListener("close", (event) => {
      state.closed = event;
      resolve(event);
    }),
  );
  const waitFor = (pattern: RegExp) => expect.poll(() => state.text, { timeout: 10_000 }).toMatch(pattern);
  return { response, socket, state, closed, waitFor } as const;
}

const send = (socket: WebSocket, text: string) => socket.send(new TextEncoder().encode(text));

describe("SSH sessions through /ws/rac/<token>/", () => {
  it("carries a shell, applies resize frames and records the host key on first use", async () => {
    const f = await fixture();
    const endpoint = await sshEndpoint({ password: f.password });
    const { token } = await launched(endpoint.pk);
    const session = await openSocket(token);
    expect(session.response.status).toBe(101);
    if (session.socket === null) return;
    send(session.socket, "echo route-$((6*7))\n");
    await session.waitFor(/route-42/);
    session.socket.send(JSON.stringify({ type: "resize", cols: 101, rows: 33 }));
    send(session.socket, "stty size\n");
    await session.waitFor(/33 101/);
    const stored = await get(`/api/v3/rac/endpoints/${endpoint.pk}/`);
    expect(stored.body.settings["host-key"]).toBe(f.hostKeys["ssh-ed25519"]);
    send(session.socket, "exit 0\n");
    const closed = await session.closed;
    expect(closed.reason).toBe("the remote command exited with status 0");
  });

  it("answers 502 with the reason when the host key does not match the pin, and stores nothing", async () => {
    const f = await fixture();
    const pin = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDrBkz6Qn3ELBD5V2OFBydXNaiE0crMY2Kbi3L3yrQ6Y";
    const endpoint = await sshEndpoint({ password: f.password, "host-key": pin });
    const { token } = await launched(endpoint.pk);
    const session = await openSocket(token);
    expect(session.response.status).toBe(502);
    expect(await session.response.json()).toEqual({
      detail: expect.stringMatching(/^the server's host key SHA256:\S+ does not match the endpoint's host-key$/),
    });
    expect((await get(`/api/v3/rac/endpoints/${endpoint.pk}/`)).body.settings["host-key"]).toBe(pin);
  });

  it("answers 502 when the server refuses the credentials", async () => {
    const endpoint = await sshEndpoint({ password: "wrong" });
    const { token } = await launched(endpoint.pk);
    const session = await openSocket(token);
    expect(session.response.status).toBe(502);
    expect(await session.response.json()).toEqual({ detail: "the server refused the credentials for racedge" });
  });

  it("ends the remote shell when the browser closes the socket", async () => {
    const f = await fixture();
    const endpoint = await sshEndpoint({ password: f.password });
    const session = await openSocket((await launched(endpoint.pk)).token);
    if (session.socket === null) throw new Error(`no socket: ${session.response.status}`);
    send(session.socket, "echo pid=$$.\n");
    await session.waitFor(/pid=\d+\./);
    const pid = /pid=(\d+)\./.exec(session.state.text)?.[1];
    session.socket.close(1000, "bye");
    const probe = await baseSettings({
      password: f.password,
      command: `kill -0 ${pid} 2>/dev/null && echo alive || echo gone`,
    });
    const answer = async () => {
      const ssh = await openSsh(probe, testContext());
      const text = await readUntil(ssh, ssh.readable.getReader(), /alive|gone/);
      await ssh.close();
      return text.trim();
    };
    await expect.poll(answer, { timeout: 10_000, interval: 200 }).toBe("gone");
  });

  it("closes the session within the poll once the token is revoked", async () => {
    sessionTiming.pollMs = 100;
    const f = await fixture();
    const endpoint = await sshEndpoint({ "private-key": f.keys.ed25519 as string });
    const { token, pk } = await launched(endpoint.pk);
    const session = await openSocket(token);
    if (session.socket === null) throw new Error(`no socket: ${session.response.status}`);
    send(session.socket, "echo before-revoke\n");
    await session.waitFor(/before-revoke/);
    expect((await del(`/api/v3/rac/connection_tokens/${pk}/`)).status).toBe(204);
    const closed = await session.closed;
    expect([closed.code, closed.reason]).toEqual([4003, "access revoked"]);
  });
});
