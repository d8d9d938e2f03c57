/**
 * Opens an SSH session from an endpoint's settings (Guacamole's SSH parameter names): connects, checks the
 * host key against `host-key` (or records it on first use), logs in and starts a PTY shell or `command`.
 */

import { SshSession } from "./client";
import { SshError } from "./errors";
import { parsePrivateKey, type Signer } from "./privateKeys";
import {
  fingerprint,
  type HostKeyPin,
  hostKeyAlgorithmsFor,
  matchesPin,
  parseHostKeyPins,
  publicKeyLine,
} from "./publicKeys";
import type { ByteChannel } from "./transport";
import { own, toBase64, utf8 } from "./wire";

export interface SshOpenContext {
  /** Opens TCP to the target; `opened` rejects when it cannot be reached. */
  connect(hostname: string, port: number): ByteChannel & { opened: Promise<unknown> };
  /**
   * Trust on first use: stores the presented key as the endpoint's `host-key` unless one was stored meanwhile.
   * Resolves true when the stored key is this one.
   */
  trustOnFirstUse(keyLine: string): Promise<boolean>;
  cols?: number;
  rows?: number;
  timeouts?: Partial<Timeouts>;
  /** Narrows the key exchange algorithms (tests exercise each one). */
  kexAlgorithms?: readonly string[];
}

export interface Timeouts {
  connect: number;
  handshake: number;
  login: number;
  channel: number;
}

const DEFAULT_TIMEOUTS: Timeouts = { connect: 10_000, handshake: 10_000, login: 15_000, channel: 10_000 };

function port(settings: Record<string, string>): number {
  const text = (settings.port ?? "").trim();
  if (text === "") return 22;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > 65535)
    throw new SshError(`the port setting "${text}" is not a TCP port`);
  return value;
}

/**
 * Keys that needed a passphrase, by a hash of key and passphrase: bcrypt_pbkdf costs about a second of CPU,
 * so an isolate derives each key once. Small and bounded; unencrypted keys are cheap to parse every time.
 */
const decrypted = new Map<string, Promise<Signer>>();
const DECRYPTED_MAX = 16;

async function signerFor(privateKey: string, passphrase: string | undefined): Promise<Signer> {
  if (passphrase === undefined) return parsePrivateKey(privateKey, undefined);
  const digest = await crypto.subtle.digest("SHA-256", own(utf8(JSON.stringify([privateKey, passphrase]))));
  const id = toBase64(new Uint8Array(digest));
  let signer = decrypted.get(id);
  if (signer === undefined) {
    signer = parsePrivateKey(privateKey, passphrase);
    signer.catch(() => decrypted.delete(id));
    if (decrypted.size >= DECRYPTED_MAX) decrypted.delete(decrypted.keys().next().value as string);
    decrypted.set(id, signer);
  }
  return signer;
}

export async function openSsh(settings: Record<string, string>, context: SshOpenContext): Promise<SshSession> {
  const hostname = (settings.hostname ?? "").trim();
  if (hostname === "") throw new SshError("the endpoint has no hostname");
  const username = settings.username ?? "";
  if (username === "") throw new SshError("no username is set for this SSH endpoint");
  const target = port(settings);
  const timeouts = { ...DEFAULT_TIMEOUTS, ...context.timeouts };
  let pins: HostKeyPin[] = [];
  try {
    pins = parseHostKeyPins(settings["host-key"] ?? "");
  } catch (error) {
    throw new SshError((error as Error).message);
  }
  if ((settings["host-key"] ?? "").trim() !== "" && pins.length === 0) throw new SshError("host-key holds no key");
  const privateKey = settings["private-key"] ?? "";
  const signer = privateKey.trim() === "" ? undefined : await signerFor(privateKey, settings.passphrase || undefined);

  const checkHostKey = async (blob: Uint8Array) => {
    if (pins.length > 0) {
      if (await matchesPin(blob, pins)) return;
      throw new SshError(`the server's host key ${await fingerprint(blob)} does not match the endpoint's host-key`);
    }
    if (!(await context.trustOnFirstUse(publicKeyLine(blob)))) {
      throw new SshError(`the server's host key ${await fingerprint(blob)} differs from the one recorded on first use`);
    }
  };

  const where = `${hostname.includes(":") ? `[${hostname}]` : hostname}:${target}`;
  const socket = context.connect(hostname.includes(":") ? `[${hostname}]` : hostname, target);
  let timer: ReturnType<typeof setTimeout> | null = null;
  try {
    await Promise.race([
      socket.opened,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeouts.connect / 1000} s`)), timeouts.connect);
      }),
    ]);
  } catch (error) {
    socket.close().catch(() => {});
    throw new SshError(`cannot reach ${where}: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    clearTimeout(timer);
  }
  return SshSession.open(socket, {
    username,
    password: settings.password === undefined || settings.password === "" ? undefined : settings.password,
    signer,
    command: settings.command?.trim() || undefined,
    cols: context.cols ?? 80,
    rows: context.rows ?? 24,
    term: "xterm-256color",
    hostKeyAlgorithms: hostKeyAlgorithmsFor(pins),
    checkHostKey,
    kexAlgorithms: context.kexAlgorithms,
    timeouts,
  });
}
