/** A raw RFB client over the Worker's session socket, for the tests (the part noVNC plays in the browser). */
import { exports } from "cloudflare:workers";
import { expect } from "vitest";
import { BASE } from "../helpers.ts";

export interface Opened {
  status: number;
  body: string;
  headers: Headers;
  socket: WebSocket | null;
}

/** `GET /ws/rac/<token>/` with an Upgrade, through the Worker's entry; the accepted socket on a 101. */
export async function openSocket(secret: string, headers: Record<string, string> = {}): Promise<Opened> {
  const response = await exports.default.fetch(
    new Request(`${BASE}/ws/rac/${secret}/`, {
      headers: { upgrade: "websocket", "sec-websocket-protocol": "binary", ...headers },
    }),
  );
  const socket = response.webSocket;
  if (socket) {
    socket.binaryType = "arraybuffer";
    socket.accept();
  }
  return { status: response.status, body: socket ? "" : await response.text(), headers: response.headers, socket };
}

/** The bytes and the close of a socket, read on demand. */
export class Peer {
  private buffered = new Uint8Array(0);
  private wake: (() => void) | null = null;
  closed: { code: number; reason: string } | null = null;

  constructor(readonly socket: WebSocket) {
    socket.addEventListener("message", (event) => {
      const bytes = typeof event.data === "string" ? new TextEncoder().encode(event.data) : new Uint8Array(event.data);
      const next = new Uint8Array(this.buffered.length + bytes.length);
      next.set(this.buffered);
      next.set(bytes, this.buffered.length);
      this.buffered = next;
      this.wake?.();
    });
    socket.addEventListener("close", (event) => {
      this.closed = { code: event.code, reason: event.reason };
      this.wake?.();
    });
  }

  private async until(ready: () => boolean, what: string, timeoutMs = 5000) {
    const deadline = Date.now() + timeoutMs;
    while (!ready()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await Promise.race([
        new Promise<void>((resolve) => (this.wake = resolve)),
        new Promise((resolve) => setTimeout(resolve, 50)),
      ]);
    }
  }

  /** Exactly `length` bytes (fails if the socket closes first). */
  async read(length: number): Promise<Uint8Array> {
    await this.until(() => this.buffered.length >= length || this.closed !== null, `${length} bytes`);
    if (this.buffered.length < length)
      throw new Error(`closed (${JSON.stringify(this.closed)}) before ${length} bytes`);
    const out = this.buffered.slice(0, length);
    this.buffered = this.buffered.slice(length);
    return out;
  }

  /** Whatever arrived so far, after waiting `ms` for more. */
  async drain(ms = 150): Promise<Uint8Array> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    const out = this.buffered;
    this.buffered = new Uint8Array(0);
    return out;
  }

  async waitClosed(timeoutMs = 5000) {
    await this.until(() => this.closed !== null, "the close", timeoutMs);
    return this.closed!;
  }

  send(bytes: Uint8Array | number[]) {
    this.socket.send(bytes instanceof Uint8Array ? bytes : Uint8Array.from(bytes));
  }

  /** The browser's side of the edge's handshake, then ClientInit; answers the server's ServerInit name. */
  async handshake(): Promise<string> {
    expect(new TextDecoder().decode(await this.read(12))).toBe("RFB 003.008\n");
    this.send(new TextEncoder().encode("RFB 003.008\n"));
    expect([...(await this.read(2))]).toEqual([1, 1]); // only None is offered to the browser
    this.send([1]);
    expect([...(await this.read(4))]).toEqual([0, 0, 0, 0]);
    this.send([1]); // ClientInit, shared
    const init = await this.read(24);
    const nameLength = new DataView(init.buffer).getUint32(20);
    return new TextDecoder().decode(await this.read(nameLength));
  }
}

/** Client messages as noVNC writes them. */
export const messages = {
  key: (down = 1) => [4, down, 0, 0, 0, 0, 0, 0x61],
  pointer: [5, 1, 0, 10, 0, 10],
  cutText: (text: string) => {
    const bytes = new TextEncoder().encode(text);
    const head = new DataView(new ArrayBuffer(8));
    head.setUint8(0, 6);
    head.setUint32(4, bytes.length);
    return [...new Uint8Array(head.buffer), ...bytes];
  },
  updateRequest: [3, 1, 0, 0, 0, 0, 0, 64, 0, 48],
  setEncodings: (encodings: number[]) => {
    const view = new DataView(new ArrayBuffer(4 + 4 * encodings.length));
    view.setUint8(0, 2);
    view.setUint16(2, encodings.length);
    for (const [i, encoding] of encodings.entries()) view.setInt32(4 + 4 * i, encoding);
    return [...new Uint8Array(view.buffer)];
  },
};
