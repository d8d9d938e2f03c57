import { describe, expect, it } from "vitest";
import { SshError } from "../../src/sessions/ssh/errors";
import { openSsh } from "../../src/sessions/ssh/open";
import { fingerprint } from "../../src/sessions/ssh/publicKeys";
import { KEX_ALGORITHMS } from "../../src/sessions/ssh/transport";
import { fromBase64 } from "../../src/sessions/ssh/wire";
import { baseSettings, fixture, readUntil, sshdLog, testContext } from "./helpers";

const encode = (text: string) => new TextEncoder().encode(text);

/** Opens a session, runs `echo` through the shell and closes it. */
async function roundTrip(settings: Record<string, string>, context = testContext()) {
  const session = await openSsh(settings, context);
  const reader = session.readable.getReader();
  await session.write(encode("echo marker-$((6*7))\n"));
  await readUntil(session, reader, /marker-42/);
  await session.close();
  return context;
}

describe("SSH client: login", () => {
  it("logs in with a password and runs a command in the PTY shell", async () => {
    const f = await fixture();
    await roundTrip(await baseSettings({ password: f.password }));
  });

  for (const name of ["ed25519", "rsa", "rsaPkcs8", "rsaPkcs1", "ecdsa", "ecdsa384Pem", "ed25519Pkcs8"]) {
    it(`logs in with the ${name} private key`, async () => {
      const f = await fixture();
      await roundTrip(await baseSettings({ "private-key": f.keys[name] as string }));
    });
  }

  for (const kex of KEX_ALGORITHMS) {
    it(`completes the ${kex} key exchange`, async () => {
      const f = await fixture();
      await roundTrip(await baseSettings({ password: f.password }), { ...testContext(), kexAlgorithms: [kex] });
    });
  }

  it("refuses a wrong password with a reason", async () => {
    await expect(openSsh(await baseSettings({ password: "wrong" }), testContext())).rejects.toThrow(
      /the server refused the credentials for racedge/,
    );
  });

  it("refuses a key the server does not authorize, then falls back to the password", async () => {
    const f = await fixture();
    const key = f.keys.unauthorized as string;
    await expect(openSsh(await baseSettings({ "private-key": key }), testContext())).rejects.toThrow(
      /refused the credentials/,
    );
    await roundTrip(await baseSettings({ "private-key": key, password: f.password }));
  });

  it("logs in with a passphrase-protected OpenSSH key and names a wrong passphrase", async () => {
    const f = await fixture();
    const key = f.keys.ed25519Encrypted as string;
    await roundTrip(await baseSettings({ "private-key": key, passphrase: f.passphrase }));
    await expect(
      openSsh(await baseSettings({ "private-key": key, passphrase: "wrong" }), testContext()),
    ).rejects.toThrow(/the passphrase does not decrypt the private key/);
  });

  it("names an encrypted key without passphrase and a key it cannot read", async () => {
    const f = await fixture();
    await expect(
      openSsh(await baseSettings({ "private-key": f.keys.ed25519Encrypted as string }), testContext()),
    ).rejects.toThrow(/encrypted and no passphrase/);
    await expect(openSsh(await baseSettings({ "private-key": "not a key" }), testContext())).rejects.toThrow(
      /not in OpenSSH or PEM format/,
    );
  });
});

describe("SSH client: host keys", () => {
  it("fails closed on a wrong pin before any credential reaches the server", async () => {
    const f = await fixture();
    const probe = `pin${crypto.randomUUID().slice(0, 8)}`;
    const wrongPin = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDrBkz6Qn3ELBD5V2OFBydXNaiE0crMY2Kbi3L3yrQ6Y";
    const settings = await baseSettings({ username: probe, password: "secret", "host-key": wrongPin });
    const error = await openSsh(settings, testContext()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SshError);
    expect((error as Error).message).toMatch(/host key SHA256:\S+ does not match the endpoint's host-key/);
    // The control: with the right pin the same user name does reach the server's log.
    const right = await baseSettings({
      username: `${probe}ok`,
      password: "secret",
      "host-key": f.hostKeys["ssh-ed25519"] as string,
    });
    await expect(openSsh(right, testContext())).rejects.toThrow(/refused the credentials/);
    await expect.poll(sshdLog).toContain(`Invalid user ${probe}ok`);
    expect(await sshdLog()).not.toMatch(new RegExp(`${probe}(?!ok)`));
  });

  it("accepts a pin as a bare key, a known_hosts line or a fingerprint, and asks for the pinned key type", async () => {
    const f = await fixture();
    const rsa = f.hostKeys["ssh-rsa"] as string;
    // A fingerprint does not say the key's type: it pins the key the server presents first (ed25519).
    const edPrint = await fingerprint(fromBase64((f.hostKeys["ssh-ed25519"] as string).split(" ")[1] as string));
    const pins = [
      rsa,
      `[127.0.0.1]:${f.port},localhost ${f.hostKeys["ecdsa-sha2-nistp256"]} comment`,
      `# a comment\n\n${edPrint}`,
    ];
    for (const pin of pins) {
      const context = await roundTrip(await baseSettings({ password: f.password, "host-key": pin }));
      expect(context.recorded).toEqual([]);
    }
  });

  it("rejects a host-key setting it cannot read instead of ignoring it", async () => {
    const f = await fixture();
    const settings = await baseSettings({ password: f.password, "host-key": "ssh-ed25519 not-base64!" });
    await expect(openSsh(settings, testContext())).rejects.toThrow(/host-key line 1/);
  });

  it("records the presented key on first use and fails closed when the record differs", async () => {
    const f = await fixture();
    const context = await roundTrip(await baseSettings({ password: f.password }));
    expect(context.recorded).toEqual([f.hostKeys["ssh-ed25519"]]);
    const refusing = testContext({ trustOnFirstUse: async () => false });
    await expect(openSsh(await baseSettings({ password: f.password }), refusing)).rejects.toThrow(
      /differs from the one recorded on first use/,
    );
  });
});

describe("SSH client: the session", () => {
  it("applies resize to the PTY", async () => {
    const f = await fixture();
    const session = await openSsh(await baseSettings({ password: f.password }), {
      ...testContext(),
      cols: 90,
      rows: 30,
    });
    const reader = session.readable.getReader();
    await session.write(encode("stty size\n"));
    await readUntil(session, reader, /30 90/);
    await session.resize(132, 43);
    await session.write(encode("stty size\n"));
    await readUntil(session, reader, /43 132/);
    await session.close();
  });

  it("runs `command` instead of a shell and ends with its exit status", async () => {
    const f = await fixture();
    const session = await openSsh(
      await baseSettings({ password: f.password, command: "echo from-command; exit 3" }),
      testContext(),
    );
    const reader = session.readable.getReader();
    await readUntil(session, reader, /from-command/);
    while (!(await reader.read()).done) {}
    expect(await session.done).toBe("the remote command exited with status 3");
  });

  it("ends the readable side when the remote shell exits", async () => {
    const f = await fixture();
    const session = await openSsh(await baseSettings({ password: f.password }), testContext());
    const reader = session.readable.getReader();
    await session.write(encode("exit 0\n"));
    while (!(await reader.read()).done) {}
    expect(await session.done).toBe("the remote command exited with status 0");
  });

  it("closing the session ends the remote shell", async () => {
    const f = await fixture();
    const settings = await baseSettings({ password: f.password });
    const first = await openSsh(settings, testContext());
    const reader = first.readable.getReader();
    await first.write(encode("echo pid=$$.\n"));
    const pid = /pid=(\d+)\./.exec(await readUntil(first, reader, /pid=\d+\./))?.[1];
    await first.close();
    let answer = "";
    for (let attempt = 0; attempt < 50; attempt++) {
      const probe = await openSsh(
        { ...settings, command: `kill -0 ${pid} 2>/dev/null && echo alive || echo gone` },
        testContext(),
      );
      const probeReader = probe.readable.getReader();
      answer = await readUntil(probe, probeReader, /alive|gone/);
      await probe.close();
      if (answer.includes("gone")) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(answer).toContain("gone");
  });

  it("carries large output intact across the server's rekeying", async () => {
    const f = await fixture();
    const session = await openSsh(
      await baseSettings({ password: f.password, command: "seq 1 200000; echo END" }),
      testContext(),
    );
    const reader = session.readable.getReader();
    const text = await readUntil(session, reader, /END/);
    const lines = text.split(/\r?\n/).filter((line) => /^\d+$/.test(line));
    expect(lines.length).toBe(200000);
    expect(lines[199999]).toBe("200000");
    // About 1.3 MB of output with the fixture's RekeyLimit of 256K: the server asked for several new keys.
    expect(session.keyExchanges).toBeGreaterThan(2);
    await session.close();
  });
});

describe("SSH client: failures and timeouts", () => {
  it("reports an unreachable server", async () => {
    await expect(openSsh(await baseSettings({ port: "2249", password: "x" }), testContext())).rejects.toThrow(
      /cannot reach 127\.0\.0\.1:2249/,
    );
  });

  it("gives up on a server that never speaks", async () => {
    const f = await fixture();
    const context = { ...testContext(), timeouts: { handshake: 500 } };
    await expect(openSsh(await baseSettings({ port: String(f.silentPort), password: "x" }), context)).rejects.toThrow(
      /the SSH key exchange did not finish within 0.5 s/,
    );
  });

  it("rejects a port that is not a TCP port", async () => {
    await expect(openSsh(await baseSettings({ port: "70000" }), testContext())).rejects.toThrow(/not a TCP port/);
  });
});

describe("SSH client: many handshakes", () => {
  it("completes 200 handshakes in a row", { timeout: 180_000 }, async () => {
    const f = await fixture();
    const settings = await baseSettings({ "private-key": f.keys.ed25519 as string, command: "true" });
    for (let i = 0; i < 200; i++) {
      const session = await openSsh(settings, testContext());
      const reader = session.readable.getReader();
      while (!(await reader.read()).done) {}
      expect(await session.done).toBe("the remote command exited with status 0");
    }
  });
});
