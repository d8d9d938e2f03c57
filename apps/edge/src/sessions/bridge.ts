/**
 * The entry of the separately loaded bridge module (scripts/build-modules.mjs → src/generated/bridge.js): only
 * session sockets load it (src/sessions/routes.ts), which hand it the clock and the token's D1 reads and writes.
 */

import type { Actor } from "../repositories/events.ts";
import type * as Tokens from "../repositories/gateway.ts";
import { SessionViolation, type TargetSession } from "./protocol.ts";

/** Target -> browser reads: one 64 KiB view each, sent as one binary frame. */
const READ_SIZE = 64 * 1024;
/** setTimeout's longest delay; later expiries are re-armed by the poll. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Close codes and the reasons the page shows. */
export const CLOSE = {
  expired: { code: 4001, reason: "session expired" },
  revoked: { code: 4003, reason: "access revoked" },
  takenOver: { code: 4009, reason: "opened in another window" },
  serverClosed: { code: 4010, reason: "the server closed the connection" },
  unsupported: { code: 1003, reason: "this session takes binary frames only" },
  badControl: { code: 1007, reason: "text frames must be JSON control messages" },
  failed: { code: 1011, reason: "the session failed" },
} as const;
type Close = { code: number; reason: string };

export interface BridgeToken {
  uuid: string;
  /** SHA-256 of the secret (for the disconnect). */
  hash: string;
  expires: number | null;
  /** This socket's id, stored on the token when it took it. */
  session: string;
  endpoint: { pk: string; name: string };
  /** The token's user and the browser's address, for the socket's end event. */
  actor: Actor;
}

/** What the bridge reads and writes through the Worker: its clock (tests set it) and the token's rows. */
export interface BridgeStore {
  now(): number;
  sessionState: typeof Tokens.sessionState;
  disconnectToken: typeof Tokens.disconnectToken;
  recordSessionEnd: typeof Tokens.recordSessionEnd;
}

/** How often a socket looks at its in-memory takeover flag (no I/O: another request may not close this socket). */
const LOCAL_CHECK_MS = 200;

/** The sockets of this isolate by token: a new one takes over at once (other isolates notice at their next poll). */
const live = new Map<string, Bridge>();

/**
 * Moves bytes between the browser's WebSocket and the target, and keeps the session within the token's
 * life: closed at `expires`, on revocation or takeover (polled), and disconnected like the gateway on close.
 */
export class Bridge {
  private closed = false;
  private writes: Promise<void> = Promise.resolve();
  private poller: number | null = null;
  private local: number | null = null;
  /** Set by a newer socket for the same token in this isolate; acted on in this socket's own request context. */
  private takenOver = false;
  private expiry: number | null = null;
  private readonly opened: number;
  private bytesToTarget = 0;
  private bytesToBrowser = 0;
  /** Settles once the socket is closed and the disconnect is recorded. */
  readonly done: Promise<void>;
  private finish!: () => void;

  constructor(
    private readonly db: D1Database,
    private readonly socket: WebSocket,
    private readonly target: TargetSession,
    private readonly token: BridgeToken,
    private readonly pollMs: number,
    private readonly store: BridgeStore,
  ) {
    this.opened = store.now();
    this.done = new Promise((resolve) => {
      this.finish = resolve;
    });
  }

  start(): void {
    const older = live.get(this.token.uuid);
    if (older) older.takenOver = true;
    live.set(this.token.uuid, this);
    this.socket.addEventListener("message", (event) => this.fromBrowser(event.data));
    this.socket.addEventListener("close", () => this.end(null));
    this.socket.addEventListener("error", () => this.end(CLOSE.failed));
    if (this.target.greeting) this.socket.send(this.target.greeting);
    this.armExpiry();
    this.poller = setInterval(() => void this.check(), this.pollMs);
    this.local = setInterval(() => this.takenOver && this.end(CLOSE.takenOver), LOCAL_CHECK_MS);
    void this.pump();
  }

  /** Target -> browser with BYOB reads into fresh 64 KiB views (each is sent as is, so none is reused). */
  private async pump(): Promise<void> {
    const reader = this.target.readable.getReader({ mode: "byob" });
    try {
      while (!this.closed) {
        const { value, done } = await reader.read(new Uint8Array(READ_SIZE));
        if (done || value === undefined) break;
        if (this.closed) break;
        this.bytesToBrowser += value.byteLength;
        this.socket.send(value);
      }
    } catch {
      // A reset from the target ends the session like a close.
    }
    const reason = this.target.endReason?.() ?? "";
    // A close reason is limited to 123 bytes; the protocol's own words are short.
    this.end(reason === "" ? CLOSE.serverClosed : { code: CLOSE.serverClosed.code, reason: reason.slice(0, 120) });
  }

  private fromBrowser(data: unknown): void {
    if (this.closed) return;
    if (typeof data === "string") {
      this.fromBrowserText(data);
      return;
    }
    const bytes = new Uint8Array(data as ArrayBuffer);
    try {
      const { toBrowser, toTarget } = this.target.fromBrowser
        ? this.target.fromBrowser(bytes)
        : { toBrowser: [], toTarget: [bytes] };
      for (const chunk of toBrowser) this.socket.send(chunk);
      for (const chunk of toTarget) {
        this.bytesToTarget += chunk.byteLength;
        this.queue(() => this.target.write(chunk));
      }
    } catch (error) {
      this.end(error instanceof SessionViolation ? { code: 1008, reason: error.reason } : CLOSE.failed);
    }
  }

  /** Text frames are JSON control messages (an SSH terminal's size); protocols without controls close on them. */
  private fromBrowserText(data: string): void {
    const control = this.target.control?.bind(this.target);
    if (control === undefined) {
      this.end(CLOSE.unsupported);
      return;
    }
    let message: unknown;
    try {
      message = JSON.parse(data);
    } catch {
      this.end(CLOSE.badControl);
      return;
    }
    this.queue(() => control(message));
  }

  /** Writes reach the target in order; a failed write ends the session. */
  private queue(write: () => Promise<void>): void {
    this.writes = this.writes.then(write).catch(() => this.end(CLOSE.serverClosed));
  }

  private armExpiry(): void {
    if (this.token.expires === null) return;
    clearTimeout(this.expiry);
    const left = this.token.expires - this.store.now();
    if (left <= 0) {
      this.end(CLOSE.expired);
      return;
    }
    const fire = () => (this.store.now() >= this.token.expires! ? this.end(CLOSE.expired) : this.armExpiry());
    this.expiry = setTimeout(fire, Math.min(left, MAX_TIMER_MS));
  }

  /** The revocation check: expiry by the (injectable) clock first, then one single-row read. */
  private async check(): Promise<void> {
    if (this.closed) return;
    const now = this.store.now();
    if (this.token.expires !== null && now >= this.token.expires) return this.end(CLOSE.expired);
    try {
      const state = await this.store.sessionState(this.db, this.token.uuid, this.token.session, now);
      if (state === "taken") this.end(CLOSE.takenOver);
      else if (state === "revoked") this.end(CLOSE.revoked);
    } catch {
      // D1 unreachable for one poll: keep the session and ask again at the next.
    }
  }

  /** Closes both sides once; `null` when the browser closed. A takeover leaves the token alone. */
  end(close: Close | null): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.poller);
    clearInterval(this.local);
    clearTimeout(this.expiry);
    if (live.get(this.token.uuid) === this) live.delete(this.token.uuid);
    try {
      // The browser's close is answered too, which completes the closing handshake.
      this.socket.close(close?.code ?? 1000, close?.reason ?? "closed");
    } catch {
      // Already closed.
    }
    const ending = this.ending(close);
    const bookkeeping = close === CLOSE.takenOver ? this.recordEnd(ending) : this.disconnect(ending);
    void Promise.allSettled([this.target.close(), bookkeeping]).then(() => this.finish());
  }

  /** The socket's end event: `rac_revoked` when the token was taken away, `rac_disconnect` otherwise. */
  private ending(close: Close | null): Tokens.SessionEnd {
    return {
      action: close === CLOSE.revoked ? "rac_revoked" : "rac_disconnect",
      actor: this.token.actor,
      context: {
        connection_token: this.token.uuid,
        endpoint: this.token.endpoint,
        reason: close === null ? "closed by the browser" : close.reason,
        duration_ms: this.store.now() - this.opened,
        bytes_to_target: this.bytesToTarget,
        bytes_to_browser: this.bytesToBrowser,
      },
    };
  }

  /** What gateway disconnect does, only while this socket still holds the token, with the end event. */
  private async disconnect(ending: Tokens.SessionEnd): Promise<void> {
    await this.store
      .disconnectToken(this.db, this.token.hash, this.store.now(), null, this.token.session, ending)
      .catch((error: unknown) => {
        console.error("session disconnect bookkeeping failed", error);
      });
  }

  private async recordEnd(ending: Tokens.SessionEnd): Promise<void> {
    await this.store
      .recordSessionEnd(this.db, ending)
      .catch((error: unknown) => console.error("session end event failed", error));
  }
}
