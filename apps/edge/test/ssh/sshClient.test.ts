import { describe, expect, it } from "vitest";
import { openSsh } from "../../src/sessions/ssh/open";
import { baseSettings, fixture, readUntil, testContext } from "./helpers";

const encode = (text: string) => new TextEncoder().encode(text);

describe("SSH client against a real sshd", () => {
  it("logs in with a password and runs a command in the PTY shell", async () => {
    const f = await fixture();
    const session = await openSsh(await baseSettings({ password: f.password }), testContext());
    const reader = session.readable.getReader();
    await session.write(encode("echo hello-$((6*7))\n"));
    await readUntil(session, reader, /hello-42/);
    await session.close();
  });
});
