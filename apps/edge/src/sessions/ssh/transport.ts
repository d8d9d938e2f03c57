/**
 * SSH's transport layer (RFC 4253) over a byte stream: version exchange, key exchange (curve25519-sha256
 * and ECDH on NIST curves only), host-key signature check, AES-GCM packet protection (RFC 5647 as OpenSSH
 * does it), strict key exchange (the Terrapin countermeasure) and rekeying when the server asks for it.
 */

import { SshError } from "./errors";
import { CURVES, verifySignature } from "./publicKeys";
import { concat, equalBytes, fromUtf8, own, SshReader, SshWriter, utf8 } from "./wire";

export const MSG = {
  DISCONNECT: 1,
  IGNORE: 2,
  UNIMPLEMENTED: 3,
  DEBUG: 4,
  SERVICE_REQUEST: 5,
  SERVICE_ACCEPT: 6,
  EXT_INFO: 7,
  KEXINIT: 20,
  NEWKEYS: 21,
  KEX_ECDH_INIT: 30,
  KEX_ECDH_REPLY: 31,
} as const;

export const CLIENT_VERSION = "SSH-2.0-rac-edge_1.0";

export const KEX_ALGORITHMS = [
  "curve25519-sha256",
  "curve25519-sha256@libssh.org",
  "ecdh-sha2-nistp256",
  "ecdh-sha2-nistp384",
  "ecdh-sha2-nistp521",
];
const CIPHERS = ["aes256-gcm@openssh.com", "aes128-gcm@openssh.com"];
// AEAD ciphers make the MAC negotiation moot; the list only has to be well-formed.
const MACS = ["hmac-sha2-256-etm@openssh.com", "hmac-sha2-512-etm@openssh.com"];
const MAX_PACKET = 256 * 1024;

export interface ByteChannel {
  readable: ReadableStream<Uint8Array>;
  writable: WritableStream<Uint8Array>;
  close(): Promise<void>;
}

/** Decides whether a presented host key may be used; throws SshError to refuse before any credential is sent. */
export type HostKeyCheck = (blob: Uint8Array) => Promise<void>;

interface Direction {
  key: CryptoKey;
  iv: Uint8Array;
}

function bumpIv(iv: Uint8Array): void {
  for (let i = 11; i >= 4; i--) {
    iv[i] = (iv[i]! + 1) & 0xff;
    if (iv[i] !== 0) break;
  }
}

function choose(ours: readonly string[], theirs: string[], what: string): string {
  const found = ours.find((name) => theirs.includes(name));
  if (found === undefined) {
    throw new SshError(`no common ${what} algorithm (the server offers ${theirs.join(", ") || "none"})`);
  }
  return found;
}

const hashFor = (kex: string) =>
  kex.includes("nistp384") ? "SHA-384" : kex.includes("nistp521") ? "SHA-512" : "SHA-256";

/** Buffered reads of exact byte counts from a stream. */
class ByteReader {
  private chunks: Uint8Array[] = [];
  private buffered = 0;
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;

  constructor(stream: ReadableStream<Uint8Array>) {
    this.reader = stream.getReader();
  }

  private async fill(count: number): Promise<void> {
    while (this.buffered < count) {
      const { done, value } = await this.reader.read();
      if (done) throw new SshError("the server closed the connection");
      if (value.length === 0) continue;
      this.chunks.push(value);
      this.buffered += value.length;
    }
  }

  async read(count: number): Promise<Uint8Array> {
    await this.fill(count);
    const out = new Uint8Array(count);
    let offset = 0;
    while (offset < count) {
      const head = this.chunks[0]!;
      const take = Math.min(head.length, count - offset);
      out.set(head.subarray(0, take), offset);
      offset += take;
      if (take === head.length) this.chunks.shift();
      else this.chunks[0] = head.subarray(take);
    }
    this.buffered -= count;
    return out;
  }

  /** One line ending in LF (CR stripped), at most `limit` bytes. */
  async line(limit: number): Promise<string> {
    const bytes: number[] = [];
    for (;;) {
      const byte = (await this.read(1))[0]!;
      if (byte === 0x0a) break;
      bytes.push(byte);
      if (bytes.length > limit) throw new SshError("the server did not send an SSH version line");
    }
    if (bytes[bytes.length - 1] === 0x0d) bytes.pop();
    return fromUtf8(new Uint8Array(bytes));
  }

  cancel(): void {
    this.reader.cancel().catch(() => {});
  }
}

export class Transport {
  private readonly input: ByteReader;
  private readonly writer: WritableStreamDefaultWriter<Uint8Array>;
  private outgoing?: Direction;
  private incoming?: Direction;
  private sendSeq = 0;
  private recvSeq = 0;
  private writeChain: Promise<void> = Promise.resolve();
  /** Messages held while a key exchange is in progress (RFC 4253 section 7.1). */
  private held: Uint8Array[] | undefined;
  private serverVersion = "";
  private strict = false;
  sessionId?: Uint8Array;
  private hostKey?: Uint8Array;
  /** Completed key exchanges: 1 after the handshake, more when the server rekeys. */
  keyExchanges = 0;
  /** The server's `server-sig-algs` extension (RFC 8308), when it sent one. */
  serverSigAlgs?: string[];
  closed = false;

  constructor(
    private readonly channel: ByteChannel,
    private readonly hostKeyAlgorithms: string[],
    private readonly checkHostKey: HostKeyCheck,
    private readonly kexAlgorithms: readonly string[] = KEX_ALGORITHMS,
  ) {
    this.input = new ByteReader(channel.readable);
    this.writer = channel.writable.getWriter();
  }

  /** Version exchange and the first key exchange; resolves once both sides use the new keys. */
  async handshake(): Promise<void> {
    await this.writeRaw(utf8(`${CLIENT_VERSION}\r\n`));
    for (let lines = 0; ; lines++) {
      if (lines > 20) throw new SshError("the server did not send an SSH version line");
      const line = await this.input.line(1024);
      if (line.startsWith("SSH-")) {
        if (!line.startsWith("SSH-2.0-") && !line.startsWith("SSH-1.99-")) {
          throw new SshError(`the server speaks an unsupported SSH version (${line.slice(0, 40)})`);
        }
        this.serverVersion = line;
        break;
      }
    }
    const first = await this.readPacket();
    if (first[0] !== MSG.KEXINIT) throw new SshError("the server did not start a key exchange");
    await this.exchangeKeys(first, true);
  }

  private kexInit(initial: boolean): Uint8Array {
    const writer = new SshWriter().byte(MSG.KEXINIT).raw(crypto.getRandomValues(new Uint8Array(16)));
    // ext-info-c and the strict-kex marker are only meaningful in the first exchange (RFC 8308, OpenSSH PROTOCOL).
    const kex = this.kexAlgorithms;
    writer.nameList(initial ? [...kex, "ext-info-c", "kex-strict-c-v00@openssh.com"] : kex);
    writer.nameList(this.hostKeyAlgorithms);
    writer.nameList(CIPHERS).nameList(CIPHERS).nameList(MACS).nameList(MACS);
    writer.nameList(["none"]).nameList(["none"]).nameList([]).nameList([]);
    return writer.bool(false).uint32(0).bytes();
  }

  private async exchangeKeys(serverInit: Uint8Array, initial: boolean): Promise<void> {
    const clientInit = this.kexInit(initial);
    this.held ??= [];
    await this.sendNow(clientInit);
    const offer = new SshReader(serverInit.subarray(17));
    const serverKex = offer.nameList();
    const serverHostKeys = offer.nameList();
    const serverCiphersCs = offer.nameList();
    const serverCiphersSc = offer.nameList();
    offer.nameList();
    offer.nameList();
    const compressionCs = offer.nameList();
    const compressionSc = offer.nameList();
    offer.nameList();
    offer.nameList();
    const guessFollows = offer.bool();
    if (initial) this.strict = serverKex.includes("kex-strict-s-v00@openssh.com");
    const kex = choose(this.kexAlgorithms, serverKex, "key exchange");
    const hostKeyAlgorithm = choose(this.hostKeyAlgorithms, serverHostKeys, "host key");
    const cipherCs = choose(CIPHERS, serverCiphersCs, "cipher");
    const cipherSc = choose(CIPHERS, serverCiphersSc, "cipher");
    choose(["none"], compressionCs, "compression");
    choose(["none"], compressionSc, "compression");
    // A wrong guess of the server's first kex packet is skipped (RFC 4253 section 7).
    if (guessFollows && serverKex[0] !== kex) await this.readPacket();

    const { publicKey, secret } = await this.ephemeral(kex);
    await this.sendNow(new SshWriter().byte(MSG.KEX_ECDH_INIT).string(publicKey).bytes());
    const reply = await this.readKexPacket(MSG.KEX_ECDH_REPLY);
    const reader = new SshReader(reply.subarray(1));
    const hostKey = reader.string();
    const serverPublic = reader.string();
    const signature = reader.string();
    const shared = await secret(serverPublic);
    const hash = hashFor(kex);
    const exchange = new SshWriter()
      .string(CLIENT_VERSION)
      .string(this.serverVersion)
      .string(clientInit)
      .string(serverInit)
      .string(hostKey)
      .string(publicKey)
      .string(serverPublic)
      .mpint(shared)
      .bytes();
    const h = new Uint8Array(await crypto.subtle.digest(hash, own(exchange)));
    if (!(await verifySignature(hostKey, signature, h, hostKeyAlgorithm))) {
      throw new SshError("the server's host key signature does not verify");
    }
    // A rekey must present the key that was checked at the start (as OpenSSH's client requires).
    if (this.hostKey === undefined) await this.checkHostKey(hostKey);
    else if (!equalBytes(this.hostKey, hostKey)) throw new SshError("the server changed its host key while rekeying");
    this.hostKey = hostKey;
    this.sessionId ??= h;
    const k = new SshWriter().mpint(shared).bytes();
    const derive = async (letter: string, length: number) => {
      let out: Uint8Array = new Uint8Array(
        await crypto.subtle.digest(hash, own(concat(k, h, utf8(letter), this.sessionId as Uint8Array))),
      );
      while (out.length < length)
        out = concat(out, new Uint8Array(await crypto.subtle.digest(hash, own(concat(k, h, out)))));
      return out.subarray(0, length);
    };
    const direction = async (
      cipher: string,
      ivLetter: string,
      keyLetter: string,
      usage: "encrypt" | "decrypt",
    ): Promise<Direction> => {
      const length = cipher.startsWith("aes256") ? 32 : 16;
      const raw = own(await derive(keyLetter, length));
      const key = await crypto.subtle.importKey("raw", raw, { name: "AES-GCM" }, false, [usage]);
      return { key, iv: new Uint8Array(await derive(ivLetter, 12)) };
    };
    const outgoing = await direction(cipherCs, "A", "C", "encrypt");
    const incoming = await direction(cipherSc, "B", "D", "decrypt");
    await this.sendNow(new Uint8Array([MSG.NEWKEYS]));
    this.outgoing = outgoing;
    if (this.strict) this.sendSeq = 0;
    await this.readKexPacket(MSG.NEWKEYS);
    this.incoming = incoming;
    if (this.strict) this.recvSeq = 0;
    this.keyExchanges++;
    const held = this.held ?? [];
    this.held = undefined;
    for (const payload of held) await this.sendNow(payload);
  }

  private async ephemeral(kex: string) {
    if (kex.startsWith("curve25519")) {
      const pair = (await crypto.subtle.generateKey({ name: "X25519" }, false, ["deriveBits"])) as CryptoKeyPair;
      const publicKey = new Uint8Array((await crypto.subtle.exportKey("raw", pair.publicKey)) as ArrayBuffer);
      const secret = async (peer: Uint8Array) => {
        if (peer.length !== 32) throw new SshError("the server's curve25519 key has the wrong length");
        const key = await crypto.subtle.importKey("raw", own(peer), { name: "X25519" }, false, []);
        const bits = new Uint8Array(await crypto.subtle.deriveBits(withPeer("X25519", key), pair.privateKey, 256));
        if (bits.every((byte) => byte === 0)) throw new SshError("the server's curve25519 key is degenerate");
        // RFC 8731: the X25519 output is read as a big-endian number for the mpint K.
        return bits;
      };
      return { publicKey, secret };
    }
    const params = CURVES[kex.slice("ecdh-sha2-".length)]!;
    const algorithm = { name: "ECDH", namedCurve: params.curve };
    const pair = (await crypto.subtle.generateKey(algorithm, false, ["deriveBits"])) as CryptoKeyPair;
    const publicKey = new Uint8Array((await crypto.subtle.exportKey("raw", pair.publicKey)) as ArrayBuffer);
    const secret = async (peer: Uint8Array) => {
      let key: CryptoKey;
      try {
        key = await crypto.subtle.importKey("raw", own(peer), algorithm, false, []);
      } catch {
        throw new SshError("the server's ECDH key is not a point on its curve");
      }
      return new Uint8Array(await crypto.subtle.deriveBits(withPeer("ECDH", key), pair.privateKey, params.size * 8));
    };
    return { publicKey, secret };
  }

  /** The next packet of a key exchange; anything else during the first (strict) exchange is a protocol error. */
  private async readKexPacket(type: number): Promise<Uint8Array> {
    for (;;) {
      const packet = await this.readPacket();
      if (packet[0] === type) return packet;
      if (packet[0] === MSG.DISCONNECT) throw disconnectError(packet);
      if (this.strict && this.sessionId === undefined)
        throw new SshError("unexpected message during strict key exchange");
      if (packet[0] === MSG.IGNORE || packet[0] === MSG.DEBUG) continue;
      throw new SshError(`unexpected message ${packet[0]} during key exchange`);
    }
  }

  private async readPacket(): Promise<Uint8Array> {
    const seq = this.recvSeq;
    this.recvSeq = (this.recvSeq + 1) >>> 0;
    const head = await this.input.read(4);
    const length = new DataView(head.buffer).getUint32(0);
    if (length < 8 || length > MAX_PACKET) throw new SshError("the server sent a malformed packet");
    let plain: Uint8Array;
    const incoming = this.incoming;
    if (incoming) {
      if (length % 16 !== 0) throw new SshError("the server sent a malformed packet");
      const body = await this.input.read(length + 16);
      try {
        const iv = own(incoming.iv);
        bumpIv(incoming.iv);
        plain = new Uint8Array(
          await crypto.subtle.decrypt(
            { name: "AES-GCM", iv, additionalData: own(head) },
            incoming.key,
            body as Uint8Array<ArrayBuffer>,
          ),
        );
      } catch {
        throw new SshError(`packet ${seq} failed its integrity check`);
      }
    } else {
      plain = await this.input.read(length);
    }
    const padding = plain[0]!;
    if (padding < 4 || padding + 1 >= plain.length) throw new SshError("the server sent a malformed packet");
    return plain.subarray(1, plain.length - padding);
  }

  private frame(payload: Uint8Array): { head: Uint8Array; plain: Uint8Array } {
    const block = this.outgoing ? 16 : 8;
    const fixed = this.outgoing ? 1 : 5; // with AES-GCM the length field stays outside the padded block
    let padding = block - ((fixed + payload.length) % block);
    if (padding < 4) padding += block;
    const plain = new Uint8Array(1 + payload.length + padding);
    plain[0] = padding;
    plain.set(payload, 1);
    crypto.getRandomValues(plain.subarray(1 + payload.length));
    const head = new Uint8Array(4);
    new DataView(head.buffer).setUint32(0, plain.length);
    return { head, plain };
  }

  /** Sends a packet now, in order with every other send. */
  private sendNow(payload: Uint8Array): Promise<void> {
    // Framing and the IV are taken synchronously so that packets keep their order and sequence numbers.
    const outgoing = this.outgoing;
    const { head, plain } = this.frame(payload);
    this.sendSeq = (this.sendSeq + 1) >>> 0;
    let iv: Uint8Array | undefined;
    if (outgoing) {
      iv = own(outgoing.iv);
      bumpIv(outgoing.iv);
    }
    const sealed =
      outgoing && iv
        ? crypto.subtle.encrypt({ name: "AES-GCM", iv: own(iv), additionalData: own(head) }, outgoing.key, own(plain))
        : Promise.resolve(plain.buffer as ArrayBuffer);
    const write = this.writeChain.then(async () => this.writeRaw(concat(head, new Uint8Array(await sealed))));
    this.writeChain = write.catch(() => {});
    return write;
  }

  private async writeRaw(bytes: Uint8Array): Promise<void> {
    if (this.closed) throw new SshError("the connection is closed");
    await this.writer.write(bytes);
  }

  /** Sends a connection- or auth-layer message; held back while keys are being exchanged. */
  send(payload: Uint8Array): Promise<void> {
    if (this.held) {
      this.held.push(payload);
      return Promise.resolve();
    }
    return this.sendNow(payload);
  }

  /** The next message for the layers above, with transport messages (and rekeying) handled here. */
  async receive(): Promise<Uint8Array> {
    for (;;) {
      const packet = await this.readPacket();
      switch (packet[0]) {
        case MSG.IGNORE:
        case MSG.DEBUG:
        case MSG.UNIMPLEMENTED:
          continue;
        case MSG.DISCONNECT:
          throw disconnectError(packet);
        case MSG.KEXINIT:
          await this.exchangeKeys(packet, false);
          continue;
        case MSG.EXT_INFO:
          this.readExtInfo(packet);
          continue;
        default:
          return packet;
      }
    }
  }

  private readExtInfo(packet: Uint8Array): void {
    const reader = new SshReader(packet.subarray(1));
    for (let count = reader.uint32(); count > 0; count--) {
      const name = reader.text();
      const value = reader.text();
      if (name === "server-sig-algs") this.serverSigAlgs = value.split(",");
    }
  }

  /** Says goodbye (best effort) and closes the socket. */
  async close(reason = "closed by the client"): Promise<void> {
    if (this.closed) return;
    const bye = new SshWriter().byte(MSG.DISCONNECT).uint32(11).string(reason).string("").bytes();
    const sent = this.held === undefined && this.outgoing ? this.sendNow(bye).catch(() => {}) : Promise.resolve();
    await Promise.race([sent, new Promise((resolve) => setTimeout(resolve, 200))]);
    this.closed = true;
    this.input.cancel();
    await this.writer.close().catch(() => {});
    await this.channel.close().catch(() => {});
  }
}

/** deriveBits' peer key: the runtime reads `public`, which workers-types spells `$public`. */
const withPeer = (name: string, key: CryptoKey) => ({ name, public: key }) as unknown as SubtleCryptoDeriveKeyAlgorithm;

function disconnectError(packet: Uint8Array): SshError {
  const reader = new SshReader(packet.subarray(1));
  reader.uint32();
  const description = reader.remaining >= 4 ? reader.text() : "";
  return new SshError(`the server disconnected${description ? `: ${description}` : ""}`);
}
