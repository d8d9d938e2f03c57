import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import worker from "../../src/index.ts";
import { sessionTiming } from "../../src/sessions/routes.ts";
import { launched, makeEndpoint, setNow, TOKENS } from "../connectionFixtures.ts";
import { BASE, del, makeProvider, makeUser, patch } from "../helpers.ts";
import { messages, openSocket, Peer } from "./client.ts";

const ports = inject("fakeRfbPorts");
const PASSWORD = "fake-pass";
const WRONG = "the VNC server refused the stored password";
const T = Date.UTC(2031, 5, 1, 8, 0, 0);
const HOUR = 3_600_000;

beforeAll(() => {
  sessionTiming.pollMs = 50;
});

const open: Peer[] = [];
afterEach(() => {
  for (const peer of open.splice(0)) if (peer.closed === null) peer.socket.close(1000, "test over");
});

/** A VNC endpoint on a fake server; the fake's password unless `settings` say otherwise. */
const vnc = (
  port: number,
  settings: Record<string, unknown> = { password: PASSWORD },
  provider?: Record<string, unknown>,
) => makeEndpoint({ protocol: "vnc", host: `127.0.0.1:${port}`, settings }, provider);

/** A connected session: the socket, past the handshake. */
async function connected(secret: string) {
  const reply = await openSocket(secret);
  expect(reply.status, reply.body).toBe(101);
  const peer = new Peer(reply.socket!);
  open.push(peer);
  expect(await peer.handshake()).toBe("fake desktop");
  return peer;
}

const row = (uuid: string) =>
  env.DB.prepare("SELECT connected_at, session_id, session_error FROM connection_tokens WHERE uuid = ?1")
    .bind(uuid)
    .first<{ connected_at: number | null; session_id: string | null; session_error: string | null }>();

const stats = async () => (await (await fetch(`http://127.0.0.1:${ports.stats}/`)).json()) as { authFailures: number };

const page = (path: string, method = "GET") => exports.default.fetch(new Request(`${BASE}${path}`, { method }));

describe("the session page", () => {
  it("serves the page for a live token with the endpoint's name (escaped), never cached or framed", async () => {
    const endpoint = await makeEndpoint({ protocol: "vnc", host: "127.0.0.1:1", name: `Desk "<b>1</b>"` });
    const token = await launched(endpoint.pk);
    const reply = await page(`/if/rac/${token.token}/`);
    expect(reply.status).toBe(200);
    expect(reply.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(reply.headers.get("cache-control")).toBe("no-store");
    expect(reply.headers.get("referrer-policy")).toBe("no-referrer");
    const html = await reply.text();
    expect(html).toContain('<title>Desk "&lt;b&gt;1&lt;/b&gt;" · rac-edge</title>');
    expect(html).toContain('data-endpoint="Desk &quot;<b>1</b>&quot;"');
    expect(html).toContain('data-read-only="false"');
    expect(html).toContain('src="/static/vnc/session.js"');
    const head = await page(`/if/rac/${token.token}`, "HEAD");
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
    expect((await page(`/if/rac/${token.token}/`, "POST")).status).toBe(405);
  });

  it("says the link is no longer valid (404 HTML) for unknown, expired and revoked tokens", async () => {
    const endpoint = await vnc(ports.vncAuth);
    setNow(T);
    const expiring = await launched(endpoint.pk);
    const revoked = await launched(endpoint.pk);
    expect((await del(`${TOKENS}${revoked.pk}/`)).status).toBe(204);
    setNow(T + 8 * HOUR);
    for (const secret of ["no-such-token", expiring.token, revoked.token]) {
      const reply = await page(`/if/rac/${secret}/`);
      expect(reply.status).toBe(404);
      expect(reply.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(await reply.text()).toContain("<h1>This link is no longer valid</h1>");
      expect((await page(`/if/rac/${secret}/status/`)).status).toBe(404);
    }
  });

  it("reports the page's read-only setting; RDP endpoints get a 501 page in words", async () => {
    const viewOnly = await launched((await vnc(ports.vncAuth, { password: PASSWORD, "read-only": true })).pk);
    expect(await (await page(`/if/rac/${viewOnly.token}/`)).text()).toContain('data-read-only="true"');
    const rdp = await launched((await makeEndpoint({ protocol: "rdp", name: "Windows box" })).pk);
    const reply = await page(`/if/rac/${rdp.token}/`);
    expect(reply.status).toBe(501);
    expect(await reply.text()).toContain("RDP sessions are not served by the edge yet");
  });
});

describe("the session socket before the upgrade", () => {
  it("426 without Upgrade, 404 for unknown, expired and revoked tokens and deactivated users", async () => {
    const endpoint = await vnc(ports.vncAuth);
    const token = await launched(endpoint.pk);
    const plain = await page(`/ws/rac/${token.token}/`);
    expect(plain.status).toBe(426);
    expect(plain.headers.get("upgrade")).toBe("websocket");
    // Opening a socket records the connect, so HEAD (which must change nothing) is not allowed here.
    const head = await page(`/ws/rac/${token.token}/`, "HEAD");
    expect(head.status).toBe(405);
    expect(head.headers.get("allow")).toBe("GET");
    expect((await row(token.pk))!.connected_at).toBeNull();
    expect((await openSocket("no-such-token")).status).toBe(404);
    setNow(T);
    const expiring = await launched(endpoint.pk);
    setNow(T + 8 * HOUR);
    expect((await openSocket(expiring.token)).status).toBe(404);
    const user = await makeUser({ superuser: true });
    const theirs = await launched(endpoint.pk, {}, user.token);
    expect((await patch(`/api/v3/core/users/${user.id}/`, { is_active: false })).status).toBe(200);
    expect((await openSocket(theirs.token)).status).toBe(404);
    // Deactivation revokes the user's tokens in its own batch: no connect could be recorded.
    expect(await row(theirs.pk)).toBeNull();
  });

  it("501 for RDP endpoints (SSH is served since issue 13: test/ssh/)", async () => {
    const token = await launched((await makeEndpoint({ protocol: "rdp" })).pk);
    const reply = await openSocket(token.token);
    expect(reply.status).toBe(501);
    expect(JSON.parse(reply.body)).toEqual({
      detail: "RDP sessions are not served by the edge yet; only VNC and SSH endpoints open here.",
    });
  });

  it("502 with a reason when the target cannot be reached, and the page can read it", async () => {
    const token = await launched((await vnc(ports.unreachable)).pk);
    const reply = await openSocket(token.token);
    expect(reply.status).toBe(502);
    const reason = `the VNC server at 127.0.0.1:${ports.unreachable} cannot be reached`;
    expect(JSON.parse(reply.body)).toEqual({ detail: reason });
    expect(await (await page(`/if/rac/${token.token}/status/`)).json()).toEqual({ live: true, error: reason });
    expect((await row(token.pk))!.connected_at).toBeNull();
  });

  it("502 `the VNC server refused the stored password` after exactly one attempt", async () => {
    const token = await launched((await vnc(ports.vncAuth, { password: "not-the-one" })).pk);
    const before = (await stats()).authFailures;
    const reply = await openSocket(token.token);
    expect(reply.status).toBe(502);
    expect(JSON.parse(reply.body)).toEqual({ detail: WRONG });
    expect((await stats()).authFailures).toBe(before + 1);
    expect((await row(token.pk))!.session_error).toBe(WRONG);
    expect(reply.body).not.toContain("not-the-one");
  });

  it("502 when the server wants a password and none is stored; unsupported security types are named", async () => {
    const none = await launched((await vnc(ports.vncAuth, {})).pk);
    const reply = await openSocket(none.token);
    expect(reply.status).toBe(502);
    expect(JSON.parse(reply.body).detail).toMatch(/^the VNC server asks for a password and none is stored/);
    const vencrypt = await launched((await vnc(ports.veNCrypt)).pk);
    const refused = await openSocket(vencrypt.token);
    expect(refused.status).toBe(502);
    expect(JSON.parse(refused.body).detail).toBe(
      "the VNC server offers no security type the edge supports (offered: 19; supported: None, VNC Authentication)",
    );
  });

  it("refuses targets outside RAC_TARGETS (403) and fails closed on an invalid list (502)", async () => {
    const token = await launched((await vnc(ports.vncAuth)).pk);
    const attempt = async (targets: string) => {
      const ctx = createExecutionContext();
      const request = new Request(`${BASE}/ws/rac/${token.token}/`, { headers: { upgrade: "websocket" } });
      const response = await worker.fetch(request, { ...env, RAC_TARGETS: targets }, ctx);
      response.webSocket?.accept();
      response.webSocket?.close(1000, "done");
      await waitOnExecutionContext(ctx);
      return { status: response.status, body: response.webSocket ? null : await response.json() };
    };
    expect(await attempt("10.0.0.0/8, desk.example.com")).toEqual({
      status: 403,
      body: { detail: `the target 127.0.0.1:${ports.vncAuth} is not allowed by this gateway (RAC_TARGETS)` },
    });
    expect(await attempt("10.0.0.0/33")).toEqual({
      status: 502,
      body: { detail: 'the gateway\'s target allowlist (RAC_TARGETS) has an invalid entry "10.0.0.0/33"' },
    });
    expect((await attempt(`127.0.0.0/8`)).status).toBe(101);
    expect((await attempt(`127.0.0.1:${ports.vncAuth}`)).status).toBe(101);
  });
});

describe("a session", () => {
  it("authenticates at the edge, offers the browser only None, echoes `binary`, records the connect", async () => {
    const endpoint = await vnc(ports.vncAuth);
    setNow(T);
    const token = await launched(endpoint.pk);
    setNow(T + 1000);
    const reply = await openSocket(token.token);
    expect(reply.status).toBe(101);
    expect(reply.headers.get("sec-websocket-protocol")).toBe("binary");
    const peer = new Peer(reply.socket!);
    open.push(peer);
    expect(await peer.handshake()).toBe("fake desktop");
    const stored = (await row(token.pk))!;
    expect(stored.connected_at).toBe(T + 1000);
    expect(stored.session_id).toMatch(/^[0-9a-f-]{36}$/);
    // Read-write: input reaches the server as sent (the fake echoes it).
    const input = [...messages.key(), ...messages.pointer, ...messages.updateRequest];
    peer.send(input);
    expect([...(await peer.read(input.length))]).toEqual(input);
  });

  it("uses the password prompted at launch (auth_mode prompt), merged last as at gateway connect", async () => {
    const endpoint = await vnc(ports.vncAuth, { password: "overridden" });
    await patch(`/api/v3/rac/endpoints/${endpoint.pk}/`, { auth_mode: "prompt" });
    const token = await launched(endpoint.pk, { settings: { username: "someone", password: PASSWORD } });
    await connected(token.token);
  });

  it("works with a server that needs no password (None)", async () => {
    const token = await launched((await vnc(ports.none, {})).pk);
    await connected(token.token);
  });

  it("read-only: forwards display messages, strips length-changing encodings, closes on unknown ones", async () => {
    const token = await launched((await vnc(ports.vncAuth, { password: PASSWORD, "read-only": "true" })).pk);
    const peer = await connected(token.token);
    peer.send([
      ...messages.key(),
      ...messages.pointer,
      ...messages.cutText("secret"),
      ...messages.setEncodings([0, -316, 7]),
    ]);
    peer.send(messages.updateRequest.slice(0, 4)); // a message split across frames
    peer.send(messages.updateRequest.slice(4));
    const expected = [...messages.setEncodings([0, 7]), ...messages.updateRequest];
    expect([...(await peer.read(expected.length))]).toEqual(expected);
    expect((await peer.drain()).length).toBe(0);
    peer.send([77, 0, 0, 0]);
    expect(await peer.waitClosed()).toEqual({
      code: 1008,
      reason: "unknown client message type 77 in a read-only session",
    });
  });

  it("closes on text frames (VNC takes binary frames only)", async () => {
    const token = await launched((await vnc(ports.vncAuth)).pk);
    const peer = await connected(token.token);
    peer.socket.send('{"resize": [80, 24]}');
    expect(await peer.waitClosed()).toEqual({ code: 1003, reason: "this session takes binary frames only" });
  });

  it("closes with `session expired` at the token's expiry (injected clock)", async () => {
    const endpoint = await vnc(ports.vncAuth);
    setNow(T);
    const token = await launched(endpoint.pk);
    const peer = await connected(token.token);
    setNow(T + 8 * HOUR);
    expect(await peer.waitClosed()).toEqual({ code: 4001, reason: "session expired" });
  });

  it("closes with `access revoked` when the token is deleted, the user deactivated or the endpoint moved", async () => {
    const endpoint = await vnc(ports.vncAuth);
    const deleted = await launched(endpoint.pk);
    let peer = await connected(deleted.token);
    expect((await del(`${TOKENS}${deleted.pk}/`)).status).toBe(204);
    expect(await peer.waitClosed()).toEqual({ code: 4003, reason: "access revoked" });

    const user = await makeUser({ superuser: true });
    const theirs = await launched(endpoint.pk, {}, user.token);
    peer = await connected(theirs.token);
    expect((await patch(`/api/v3/core/users/${user.id}/`, { is_active: false })).status).toBe(200);
    expect(await peer.waitClosed()).toEqual({ code: 4003, reason: "access revoked" });

    const moved = await launched(endpoint.pk);
    peer = await connected(moved.token);
    const other = await makeProvider();
    expect((await patch(`/api/v3/rac/endpoints/${endpoint.pk}/`, { provider: other.pk })).status).toBe(200);
    expect(await peer.waitClosed()).toEqual({ code: 4003, reason: "access revoked" });
  });

  it("closes with `access revoked` when the endpoint or its provider is deleted", async () => {
    const endpoint = await vnc(ports.vncAuth);
    let peer = await connected((await launched(endpoint.pk)).token);
    expect((await del(`/api/v3/rac/endpoints/${endpoint.pk}/`)).status).toBe(204);
    expect(await peer.waitClosed()).toEqual({ code: 4003, reason: "access revoked" });
    const second = await vnc(ports.vncAuth);
    peer = await connected((await launched(second.pk)).token);
    expect((await del(`/api/v3/providers/rac/${second.provider}/`)).status).toBe(204);
    expect(await peer.waitClosed()).toEqual({ code: 4003, reason: "access revoked" });
  });

  it("a second socket takes over: the first closes with `opened in another window`, the token stays", async () => {
    const token = await launched(
      (await vnc(ports.vncAuth, { password: PASSWORD }, { delete_token_on_disconnect: true })).pk,
    );
    const first = await connected(token.token);
    const second = await connected(token.token);
    expect(await first.waitClosed()).toEqual({ code: 4009, reason: "opened in another window" });
    expect(await row(token.pk)).not.toBeNull();
    // Another isolate's takeover shows only in D1: the poll notices it, and it is no disconnect either.
    await env.DB.prepare("UPDATE connection_tokens SET session_id = 'elsewhere' WHERE uuid = ?1").bind(token.pk).run();
    expect(await second.waitClosed()).toEqual({ code: 4009, reason: "opened in another window" });
    expect((await row(token.pk))!.session_id).toBe("elsewhere");
  });

  it("closes with `the server closed the connection` when the target hangs up", async () => {
    const token = await launched((await vnc(ports.vncAuth)).pk);
    const peer = await connected(token.token);
    peer.send(messages.cutText("bye"));
    expect(await peer.waitClosed()).toEqual({ code: 4010, reason: "the server closed the connection" });
  });
});

describe("disconnect bookkeeping when a session closes", () => {
  const closeAndWait = async (peer: Peer, uuid: string, gone: boolean) => {
    peer.socket.close(1000, "bye");
    const deadline = Date.now() + 5000;
    while (((await row(uuid)) !== null) === gone && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    return (await row(uuid)) === null;
  };

  it("keeps a time-limited token (it may reconnect) unless the provider deletes on disconnect", async () => {
    const kept = await launched((await vnc(ports.vncAuth)).pk);
    expect(await closeAndWait(await connected(kept.token), kept.pk, false)).toBe(false);
    await connected(kept.token); // reconnects
    const deleting = await launched(
      (await vnc(ports.vncAuth, { password: PASSWORD }, { delete_token_on_disconnect: true })).pk,
    );
    expect(await closeAndWait(await connected(deleting.token), deleting.pk, true)).toBe(true);
  });

  it("deletes a token without a time limit, as gateway disconnect does", async () => {
    const token = await launched(
      (await vnc(ports.vncAuth, { password: PASSWORD }, { connection_expiry: "seconds=0" })).pk,
    );
    expect(token.expires).toBeNull();
    expect(await closeAndWait(await connected(token.token), token.pk, true)).toBe(true);
  });

  it("the target hanging up is a disconnect too", async () => {
    const token = await launched(
      (await vnc(ports.vncAuth, { password: PASSWORD }, { delete_token_on_disconnect: true })).pk,
    );
    const peer = await connected(token.token);
    peer.send(messages.cutText("bye"));
    await peer.waitClosed();
    const deadline = Date.now() + 5000;
    while ((await row(token.pk)) !== null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    expect(await row(token.pk)).toBeNull();
  });
});

describe("session events", () => {
  const eventsOf = async (token: string, action: string) => {
    const sql =
      "SELECT user, client_ip, context FROM events " +
      "WHERE action = ?1 AND json_extract(context, '$.connection_token') = ?2";
    const rows = await env.DB.prepare(sql)
      .bind(action, token)
      .all<{ user: string; client_ip: string | null; context: string }>();
    return rows.results.map((row) => ({ ...row, user: JSON.parse(row.user), context: JSON.parse(row.context) }));
  };
  const waitFor = async (token: string, action: string) => {
    const deadline = Date.now() + 5000;
    while ((await eventsOf(token, action)).length === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 25));
    return eventsOf(token, action);
  };

  it("rac_connect when the socket opens, rac_disconnect with duration and bytes when it closes", async () => {
    const endpoint = await vnc(ports.vncAuth);
    const user = await makeUser({ superuser: true });
    const token = await launched(endpoint.pk, {}, user.token);
    const reply = await openSocket(token.token, { "cf-connecting-ip": "198.51.100.9" });
    expect(reply.status).toBe(101);
    const peer = new Peer(reply.socket!);
    open.push(peer);
    await peer.handshake();
    const [connect] = await eventsOf(token.pk, "rac_connect");
    expect(connect).toMatchObject({
      user: { pk: user.id, username: user.username },
      client_ip: "198.51.100.9",
      context: {
        endpoint: {
          model_name: "endpoint",
          pk: endpoint.pk.replaceAll("-", ""),
          name: `RAC Endpoint ${endpoint.name}`,
        },
      },
    });
    peer.socket.close(1000, "bye");
    const [disconnect] = await waitFor(token.pk, "rac_disconnect");
    expect(disconnect!.user.username).toBe(user.username);
    expect(disconnect!.client_ip).toBe("198.51.100.9");
    expect(disconnect!.context).toMatchObject({
      endpoint: { pk: endpoint.pk, name: endpoint.name },
      reason: "closed by the browser",
    });
    expect(disconnect!.context.duration_ms).toBeGreaterThanOrEqual(0);
    expect(disconnect!.context.bytes_to_browser).toBeGreaterThan(0);
    expect(disconnect!.context.bytes_to_target).toBeGreaterThan(0);
    expect(JSON.stringify(disconnect)).not.toContain(PASSWORD);
  });

  it("rac_revoked with the reason when the token is taken away", async () => {
    const endpoint = await vnc(ports.vncAuth);
    const token = await launched(endpoint.pk);
    const peer = await connected(token.token);
    expect((await del(`${TOKENS}${token.pk}/`)).status).toBe(204);
    expect(await peer.waitClosed()).toEqual({ code: 4003, reason: "access revoked" });
    const [revoked] = await waitFor(token.pk, "rac_revoked");
    expect(revoked!.context).toMatchObject({ reason: "access revoked", endpoint: { pk: endpoint.pk } });
    expect(await eventsOf(token.pk, "rac_disconnect")).toEqual([]);
  });
});
