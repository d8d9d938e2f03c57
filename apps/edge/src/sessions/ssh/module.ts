/**
 * The entry of the separately loaded SSH module (built by scripts/build-modules.mjs into src/generated/ssh.js).
 * Only SSH sessions load it, so API requests never parse the SSH client.
 */

import { connect } from "cloudflare:sockets";
import { SshError } from "./errors";
import { openSsh, type Timeouts } from "./open";

export interface SshTarget {
  readable: ReadableStream<Uint8Array>;
  write(bytes: Uint8Array): Promise<void>;
  control(message: unknown): Promise<void>;
  close(): Promise<void>;
  /** Why the session ended, in words (empty while it runs). */
  reason(): string;
}

export interface SshModuleContext {
  trustOnFirstUse(keyLine: string): Promise<boolean>;
  timeouts?: Partial<Timeouts>;
}

const isSize = (value: unknown) => Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 10_000;

/** Opens the session; throws SshError (its `name` survives the module boundary) with a reason in words. */
export async function openSshTarget(settings: Record<string, string>, context: SshModuleContext): Promise<SshTarget> {
  const session = await openSsh(settings, {
    connect: (hostname, port) => connect({ hostname, port }),
    trustOnFirstUse: context.trustOnFirstUse,
    timeouts: context.timeouts,
  });
  return {
    readable: session.readable,
    write: (bytes) => session.write(bytes),
    // Unknown control messages are ignored so newer pages work with older edges.
    async control(message) {
      const { type, cols, rows } = (message ?? {}) as { type?: unknown; cols?: unknown; rows?: unknown };
      if (type === "resize" && isSize(cols) && isSize(rows)) await session.resize(cols as number, rows as number);
    },
    close: () => session.close(),
    reason: () => session.endReason,
  };
}

export { SshError };
