/** What the session bridge needs from a protocol: a byte stream to a target, opened before the upgrade. */

export interface TargetSession {
  /** Target -> browser bytes (sent as binary frames). A byte stream, so the bridge can read it with BYOB views. */
  readable: ReadableStream<Uint8Array>;
  /** Browser -> target bytes, after the protocol's client filter. */
  write(bytes: Uint8Array): Promise<void>;
  /** JSON text frames from the browser (an SSH terminal's resize); protocols without it close on text frames. */
  control?(message: unknown): Promise<void>;
  /**
   * Browser bytes pass through this before `write` (VNC: the edge's own handshake with the browser and
   * the read-only filter). It answers the bytes to send back to the browser and the bytes for the target,
   * or throws `SessionViolation` to close the socket.
   */
  fromBrowser?(bytes: Uint8Array): { toBrowser: Uint8Array[]; toTarget: Uint8Array[] };
  /** Bytes the browser gets right after the upgrade (VNC: the edge's own ProtocolVersion). */
  greeting?: Uint8Array;
  close(): Promise<void>;
  /** Why the target ended, in words, for the socket's close reason once `readable` is done (SSH: the exit status). */
  endReason?(): string;
}

export interface OpenContext {
  /** The endpoint's name, for messages. */
  endpointName: string;
  /** Cancels a slow open (the handshake timeout). */
  signal?: AbortSignal;
  /** SSH trust on first use: records the presented host key on the endpoint; true when it is the stored one. */
  trustOnFirstUse?(keyLine: string): Promise<boolean>;
}

export type SessionOpener = (settings: Record<string, string>, context: OpenContext) => Promise<TargetSession>;

/** A session that cannot be opened: answered before the upgrade with `status` and `reason` (the page shows it). */
export class SessionRefused extends Error {
  constructor(
    readonly reason: string,
    readonly status = 502,
  ) {
    super(reason);
    this.name = "SessionRefused";
  }

  /** By name: the separately loaded modules throw their own copy of this class. */
  static [Symbol.hasInstance](value: unknown): boolean {
    return value instanceof Error && value.name === "SessionRefused";
  }
}

/** The browser broke the protocol's rules (e.g. input in a read-only session): the socket closes with this reason. */
export class SessionViolation extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = "SessionViolation";
  }

  /** By name: the separately loaded modules throw their own copy of this class. */
  static [Symbol.hasInstance](value: unknown): boolean {
    return value instanceof Error && value.name === "SessionViolation";
  }
}
