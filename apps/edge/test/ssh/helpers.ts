import { connect } from "cloudflare:sockets";
import { env } from "cloudflare:workers";
import type { SshSession } from "../../src/sessions/ssh/client";
import type { SshOpenContext } from "../../src/sessions/ssh/open";
import type { SshFixture } from "./fixture";

export async function fixture(): Promise<SshFixture> {
  return (await env.SSHD.fetch("http://sshd/")).json();
}

export async function sshdLog(): Promise<string> {
  return (await env.SSHD.fetch("http://sshd/log")).text();
}

/** A context that connects with cloudflare:sockets and records trust-on-first-use in memory. */
export function testContext(overrides: Partial<SshOpenContext> = {}): SshOpenContext & { recorded: string[] } {
  const recorded: string[] = [];
  return {
    connect: (hostname, port) => connect({ hostname, port }),
    trustOnFirstUse: async (line) => {
      recorded.push(line);
      return true;
    },
    recorded,
    ...overrides,
  };
}

export async function baseSettings(extra: Record<string, string> = {}): Promise<Record<string, string>> {
  const f = await fixture();
  return { hostname: "127.0.0.1", port: String(f.port), username: f.user, ...extra };
}

/** Reads from the session until `pattern` shows up in the decoded output; returns all output so far. */
export async function readUntil(session: SshSession, reader: ReadableStreamDefaultReader<Uint8Array>, pattern: RegExp) {
  const decoder = new TextDecoder();
  let text = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) {
      const tail = JSON.stringify(text.slice(-300));
      throw new Error(`the session ended before ${pattern} appeared; output ends: ${tail} (${session.endReason})`);
    }
    text += decoder.decode(value, { stream: true });
    if (pattern.test(text)) return text;
  }
}
