/**
 * SSH's user authentication (RFC 4252: publickey, password, keyboard-interactive) and one session channel
 * with a PTY (RFC 4254), exposed as a byte stream both ways plus resize and close.
 */

import { SshError } from "./errors";
import type { Signer } from "./privateKeys";
import { type ByteChannel, type HostKeyCheck, MSG, Transport } from "./transport";
import { concat, SshReader, SshWriter } from "./wire";

const AUTH = { REQUEST: 50, FAILURE: 51, SUCCESS: 52, BANNER: 53, INFO_REQUEST: 60, INFO_RESPONSE: 61 } as const;
const CH = {
  GLOBAL_REQUEST: 80,
  REQUEST_FAILURE: 82,
  OPEN: 90,
  OPEN_CONFIRMATION: 91,
  OPEN_FAILURE: 92,
  WINDOW_ADJUST: 93,
  DATA: 94,
  EXTENDED_DATA: 95,
  EOF: 96,
  CLOSE: 97,
  REQUEST: 98,
  SUCCESS: 99,
  FAILURE: 100,
} as const;

const LOCAL_WINDOW = 2 * 1024 * 1024;
const LOCAL_MAX_PACKET = 32 * 1024;
/** Bytes queued for the browser before the server is asked to pause (it stops when our window runs out). */
const READ_HIGH_WATER = 1024 * 1024;

export interface SshConnectOptions {
  username: string;
  password?: string;
  signer?: Signer;
  command?: string;
  cols: number;
  rows: number;
  term: string;
  hostKeyAlgorithms: string[];
  /** Key exchange algorithms in preference order (a subset of ours; tests pin one). */
  kexAlgorithms?: readonly string[];
  checkHostKey: HostKeyCheck;
  /** Milliseconds for each phase: key exchange, login, channel open. */
  timeouts: { handshake: number; login: number; channel: number };
}

function withTimeout<T>(work: Promise<T>, ms: number, what: string, onTimeout: () => void): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(new SshError(`${what} did not finish within ${ms / 1000} s`));
    }, ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export class SshSession {
  readonly readable: ReadableStream<Uint8Array>;
  private controller!: ReadableByteStreamController;
  private remoteChannel = 0;
  private remoteWindow = 0;
  private remoteMaxPacket = 0;
  private localWindow = LOCAL_WINDOW;
  private windowWaiters: (() => void)[] = [];
  /** Output waiting for the next flush (see `output`). */
  private outgoing: Uint8Array[] = [];
  private writeChain: Promise<void> = Promise.resolve();
  private ended = false;
  private closing?: Promise<void>;
  /** Why the session ended, for the WebSocket's close reason. */
  endReason = "";
  private readonly endedSignal: Promise<string>;
  private resolveEnded!: (reason: string) => void;

  private constructor(private readonly transport: Transport) {
    // A byte stream, so the bridge can read it into its own views (BYOB).
    this.readable = new ReadableStream(
      {
        type: "bytes",
        start: (controller) => {
          this.controller = controller;
        },
        pull: () => this.maybeAdjustWindow(),
        cancel: () => this.close(),
      },
      { highWaterMark: READ_HIGH_WATER },
    ) as ReadableStream<Uint8Array>;
    this.endedSignal = new Promise((resolve) => {
      this.resolveEnded = resolve;
    });
  }

  /** Completed key exchanges (the handshake's and the server's rekeys). */
  get keyExchanges(): number {
    return this.transport.keyExchanges;
  }

  /** Resolves with the reason once the session has ended from either side. */
  get done(): Promise<string> {
    return this.endedSignal;
  }

  static async open(channel: ByteChannel, options: SshConnectOptions): Promise<SshSession> {
    const transport = new Transport(channel, options.hostKeyAlgorithms, options.checkHostKey, options.kexAlgorithms);
    const session = new SshSession(transport);
    const abort = () => {
      transport.close("timeout").catch(() => {});
    };
    try {
      await withTimeout(transport.handshake(), options.timeouts.handshake, "the SSH key exchange", abort);
      await withTimeout(session.login(options), options.timeouts.login, "the SSH login", abort);
      await withTimeout(session.openShell(options), options.timeouts.channel, "opening the SSH shell", abort);
    } catch (error) {
      await transport.close("connection setup failed").catch(() => {});
      throw error instanceof SshError ? error : new SshError(error instanceof Error ? error.message : String(error));
    }
    session.pump();
    return session;
  }

  private async expect(...types: number[]): Promise<Uint8Array> {
    for (;;) {
      const packet = await this.transport.receive();
      if (types.includes(packet[0]!)) return packet;
      if (packet[0] === AUTH.BANNER) continue;
      if (packet[0] === CH.GLOBAL_REQUEST) {
        await this.answerGlobalRequest(packet);
        continue;
      }
      throw new SshError(`unexpected SSH message ${packet[0]}`);
    }
  }

  private async answerGlobalRequest(packet: Uint8Array): Promise<void> {
    const reader = new SshReader(packet.subarray(1));
    reader.string();
    if (reader.bool()) await this.transport.send(new Uint8Array([CH.REQUEST_FAILURE]));
  }

  private async login(options: SshConnectOptions): Promise<void> {
    await this.transport.send(new SshWriter().byte(MSG.SERVICE_REQUEST).string("ssh-userauth").bytes());
    await this.expect(MSG.SERVICE_ACCEPT);
    const request = (method: string) =>
      new SshWriter().byte(AUTH.REQUEST).string(options.username).string("ssh-connection").string(method);
    const result = async (): Promise<string[] | true> => {
      const reply = await this.expect(AUTH.SUCCESS, AUTH.FAILURE);
      if (reply[0] === AUTH.SUCCESS) return true;
      return new SshReader(reply.subarray(1)).nameList();
    };
    let allowed: string[] | undefined;
    if (options.signer) {
      const signer = options.signer;
      const sessionId = this.transport.sessionId as Uint8Array;
      const algorithm = signer.algorithm(this.transport.serverSigAlgs);
      const body = request("publickey").bool(true).string(algorithm).string(signer.publicBlob);
      const signed = new SshWriter().string(sessionId).raw(body.bytes()).bytes();
      await this.transport.send(body.string(await signer.sign(signed, algorithm)).bytes());
      const outcome = await result();
      if (outcome === true) return;
      allowed = outcome;
    }
    if (options.password !== undefined) {
      if (allowed === undefined || allowed.includes("password")) {
        await this.transport.send(request("password").bool(false).string(options.password).bytes());
        const outcome = await result();
        if (outcome === true) return;
        allowed = outcome;
      }
      // PAM-only servers take the password through keyboard-interactive instead.
      if (!allowed.includes("password") && allowed.includes("keyboard-interactive")) {
        if (await this.keyboardInteractive(request, options.password)) return;
      }
    }
    if (options.signer === undefined && options.password === undefined) {
      await this.transport.send(request("none").bytes());
      if ((await result()) === true) return;
    }
    throw new SshError(`the server refused the credentials for ${options.username}`);
  }

  /** keyboard-interactive (RFC 4256) answering every prompt with the password, as PAM-only servers ask. */
  private async keyboardInteractive(request: (method: string) => SshWriter, password: string): Promise<boolean> {
    await this.transport.send(request("keyboard-interactive").string("").string("").bytes());
    for (let round = 0; round < 5; round++) {
      const reply = await this.expect(AUTH.SUCCESS, AUTH.FAILURE, AUTH.INFO_REQUEST);
      if (reply[0] === AUTH.SUCCESS) return true;
      if (reply[0] === AUTH.FAILURE) return false;
      const reader = new SshReader(reply.subarray(1));
      reader.string();
      reader.string();
      reader.string();
      const prompts = reader.uint32();
      const answer = new SshWriter().byte(AUTH.INFO_RESPONSE).uint32(prompts);
      for (let i = 0; i < prompts; i++) answer.string(password);
      await this.transport.send(answer.bytes());
    }
    return false;
  }

  private async channelRequest(name: string, extra: (writer: SshWriter) => void): Promise<void> {
    const writer = new SshWriter().byte(CH.REQUEST).uint32(this.remoteChannel).string(name).bool(true);
    extra(writer);
    await this.transport.send(writer.bytes());
    for (;;) {
      const reply = await this.expect(CH.SUCCESS, CH.FAILURE, CH.WINDOW_ADJUST, CH.REQUEST);
      if (reply[0] === CH.SUCCESS) return;
      if (reply[0] === CH.FAILURE) throw new SshError(`the server refused the ${name} request`);
      this.handleChannelMessage(reply);
    }
  }

  private async openShell(options: SshConnectOptions): Promise<void> {
    const open = new SshWriter()
      .byte(CH.OPEN)
      .string("session")
      .uint32(0)
      .uint32(LOCAL_WINDOW)
      .uint32(LOCAL_MAX_PACKET);
    await this.transport.send(open.bytes());
    const reply = await this.expect(CH.OPEN_CONFIRMATION, CH.OPEN_FAILURE);
    const reader = new SshReader(reply.subarray(1));
    reader.uint32();
    if (reply[0] === CH.OPEN_FAILURE) {
      reader.uint32();
      throw new SshError(`the server refused a session channel: ${reader.text() || "no reason given"}`);
    }
    this.remoteChannel = reader.uint32();
    this.remoteWindow = reader.uint32();
    this.remoteMaxPacket = Math.min(reader.uint32(), LOCAL_MAX_PACKET);
    // IUTF8 (opcode 42) on, then TTY_OP_END: the PTY treats input as UTF-8 for line editing.
    const modes = new Uint8Array([42, 0, 0, 0, 1, 0]);
    await this.channelRequest("pty-req", (w) =>
      w.string(options.term).uint32(options.cols).uint32(options.rows).uint32(0).uint32(0).string(modes),
    );
    if (options.command) await this.channelRequest("exec", (w) => w.string(options.command as string));
    else await this.channelRequest("shell", () => {});
  }

  /** Reads messages until the connection ends, feeding the readable side. */
  private pump(): void {
    (async () => {
      for (;;) {
        const packet = await this.transport.receive();
        if (packet[0] === CH.GLOBAL_REQUEST) await this.answerGlobalRequest(packet);
        else if (this.handleChannelMessage(packet)) return;
      }
    })().then(
      () => this.finish(this.endReason || "the remote shell ended"),
      (error) => this.finish(this.ended ? this.endReason : error instanceof Error ? error.message : String(error)),
    );
  }

  /** Applies one channel message; true once the channel is closed. */
  private handleChannelMessage(packet: Uint8Array): boolean {
    const reader = new SshReader(packet.subarray(1));
    reader.uint32();
    switch (packet[0]) {
      case CH.DATA:
      case CH.EXTENDED_DATA: {
        if (packet[0] === CH.EXTENDED_DATA) reader.uint32();
        const data = reader.string();
        this.localWindow -= data.length;
        if (this.localWindow < 0) throw new SshError("the server overran the channel window");
        if (!this.ended) this.output(data.slice());
        return false;
      }
      case CH.WINDOW_ADJUST:
        this.remoteWindow = Math.min(this.remoteWindow + reader.uint32(), 0xffffffff);
        for (const wake of this.windowWaiters.splice(0)) wake();
        return false;
      case CH.REQUEST: {
        const name = reader.text();
        const wantReply = reader.bool();
        if (name === "exit-status") this.endReason = `the remote command exited with status ${reader.uint32()}`;
        else if (name === "exit-signal") this.endReason = `the remote command was killed by SIG${reader.text()}`;
        if (wantReply)
          this.transport.send(new SshWriter().byte(CH.FAILURE).uint32(this.remoteChannel).bytes()).catch(() => {});
        return false;
      }
      case CH.EOF:
        return false;
      case CH.CLOSE:
        this.transport.send(new SshWriter().byte(CH.CLOSE).uint32(this.remoteChannel).bytes()).catch(() => {});
        return true;
      default:
        return false;
    }
  }

  /**
   * Terminal output is handed on once per turn of the event loop, so the packets of one socket read become
   * one chunk (and one WebSocket frame) instead of one per SSH packet.
   */
  private output(data: Uint8Array): void {
    this.outgoing.push(data);
    if (this.outgoing.length > 1) return;
    setTimeout(() => this.flushOutput(), 0);
  }

  private flushOutput(): void {
    const parts = this.outgoing.splice(0);
    if (this.ended || parts.length === 0) return;
    this.controller.enqueue(parts.length === 1 ? parts[0]! : concat(...parts));
    this.maybeAdjustWindow();
  }

  private maybeAdjustWindow(): void {
    if (this.ended || this.localWindow > LOCAL_WINDOW / 2) return;
    if ((this.controller.desiredSize ?? 0) <= 0) return;
    const grant = LOCAL_WINDOW - this.localWindow;
    this.localWindow = LOCAL_WINDOW;
    this.transport
      .send(new SshWriter().byte(CH.WINDOW_ADJUST).uint32(this.remoteChannel).uint32(grant).bytes())
      .catch(() => {});
  }

  /** Terminal input, sent in order and within the server's window. */
  write(bytes: Uint8Array): Promise<void> {
    const work = this.writeChain.then(async () => {
      let offset = 0;
      while (offset < bytes.length) {
        if (this.ended) throw new SshError(this.endReason || "the SSH session has ended");
        if (this.remoteWindow === 0) {
          await new Promise<void>((resolve) => this.windowWaiters.push(resolve));
          continue;
        }
        const size = Math.min(bytes.length - offset, this.remoteWindow, this.remoteMaxPacket);
        const chunk = bytes.subarray(offset, offset + size);
        this.remoteWindow -= size;
        offset += size;
        await this.transport.send(new SshWriter().byte(CH.DATA).uint32(this.remoteChannel).string(chunk).bytes());
      }
    });
    this.writeChain = work.catch(() => {});
    return work;
  }

  /** The PTY's new size (RFC 4254 section 6.7), in order with the input. */
  resize(cols: number, rows: number): Promise<void> {
    const message = new SshWriter().byte(CH.REQUEST).uint32(this.remoteChannel).string("window-change").bool(false);
    message.uint32(cols).uint32(rows).uint32(0).uint32(0);
    const work = this.writeChain.then(() => this.transport.send(message.bytes()));
    this.writeChain = work.catch(() => {});
    return work;
  }

  private finish(reason: string): void {
    if (this.ended) return;
    this.flushOutput();
    this.ended = true;
    this.endReason = reason;
    try {
      this.controller.close();
    } catch {
      // Already closed or cancelled by the consumer.
    }
    for (const wake of this.windowWaiters.splice(0)) wake();
    this.transport.close().catch(() => {});
    this.resolveEnded(reason);
  }

  /** Ends the session: the channel, then the connection (the server hangs up the shell). */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (!this.ended) {
        await this.transport.send(new SshWriter().byte(CH.CLOSE).uint32(this.remoteChannel).bytes()).catch(() => {});
        this.finish("closed by the browser");
      }
    })();
    return this.closing;
  }
}
