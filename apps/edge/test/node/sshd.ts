/**
 * A real OpenSSH server for the SSH tests (Node side): Debian's openssh-server on 127.0.0.1 with its own
 * config, host keys, client keys and test user, started by vitest's globalSetup and stopped by process group.
 */

import { execFileSync, spawn } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import path from "node:path";
import type { SshFixture } from "../ssh/fixture";

/** Overridable so parallel runs on one machine (worktrees) do not collide. */
export const SSHD_PORT = Number(process.env.RAC_EDGE_SSHD_PORT ?? 2240);
/** A TCP port that accepts connections and never says anything (timeout tests). */
export const SILENT_PORT = Number(process.env.RAC_EDGE_SILENT_PORT ?? 2241);
const dirFor = (port: number) => `/tmp/rac-edge-sshd-${port}`;
export const SSHD_LOG = path.join(dirFor(SSHD_PORT), "sshd.log");
export const FIXTURE_FILE = path.join(dirFor(SSHD_PORT), "fixture.json");
export const TEST_USER = "racedge";
export const TEST_PASSWORD = "correct horse battery";

const run = (command: string, args: string[]) =>
  execFileSync(command, args, { stdio: ["ignore", "pipe", "pipe"] }).toString();

function ensureOpenSsh(): void {
  if (existsSync("/usr/sbin/sshd")) return;
  if (process.getuid?.() !== 0)
    throw new Error("openssh-server is missing and only root can install it (apt-get install openssh-server)");
  execFileSync("apt-get", ["update"], { stdio: "inherit" });
  execFileSync("apt-get", ["install", "-y", "--no-install-recommends", "openssh-server"], { stdio: "inherit" });
}

function ensureUser(): void {
  try {
    run("id", [TEST_USER]);
  } catch {
    try {
      run("useradd", ["-m", "-s", "/bin/sh", TEST_USER]);
    } catch (error) {
      // Another test process may have created it meanwhile.
      if (!run("getent", ["passwd", TEST_USER])) throw error;
    }
  }
  execFileSync("chpasswd", { input: `${TEST_USER}:${TEST_PASSWORD}\n` });
}

function sshKey(dir: string, name: string, args: string[], passphrase = ""): string {
  const file = path.join(dir, name);
  run("ssh-keygen", ["-q", "-N", passphrase, "-C", name, "-f", file, ...args]);
  return file;
}

/** Node-made PEM keys (ssh-keygen cannot write ed25519 as PKCS#8), with their OpenSSH public lines. */
function pemKeys(): { keys: Record<string, string>; publics: string[] } {
  const ed = generateKeyPairSync("ed25519");
  const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const keys = {
    ed25519Pkcs8: ed.privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    rsaPkcs1: rsa.privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
  };
  const str = (value: Buffer | string) => {
    const bytes = typeof value === "string" ? Buffer.from(value) : value;
    const head = Buffer.alloc(4);
    head.writeUInt32BE(bytes.length);
    return Buffer.concat([head, bytes]);
  };
  const mpint = (b64url: string) => {
    let bytes = Buffer.from(b64url, "base64url");
    if (bytes[0]! & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
    return str(bytes);
  };
  const edJwk = ed.publicKey.export({ format: "jwk" });
  const rsaJwk = rsa.publicKey.export({ format: "jwk" });
  const edBlob = Buffer.concat([str("ssh-ed25519"), str(Buffer.from(edJwk.x as string, "base64url"))]);
  const rsaBlob = Buffer.concat([str("ssh-rsa"), mpint(rsaJwk.e as string), mpint(rsaJwk.n as string)]);
  return {
    keys,
    publics: [
      `ssh-ed25519 ${edBlob.toString("base64")} ed25519Pkcs8`,
      `ssh-rsa ${rsaBlob.toString("base64")} rsaPkcs1`,
    ],
  };
}

function waitForPort(port: number, deadline: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const socket = connect(port, "127.0.0.1");
      socket.once("data", () => {
        socket.destroy();
        resolve();
      });
      socket.once("error", () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`sshd did not listen on ${port}`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

/** Starts sshd on `port` (and a silent listener on `silentPort`); returns the fixture and the stop function. */
export async function startSshd(
  port = SSHD_PORT,
  silentPort = SILENT_PORT,
): Promise<{ fixture: SshFixture; stop: () => void }> {
  const dir = dirFor(port);
  ensureOpenSsh();
  ensureUser();
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  mkdirSync("/run/sshd", { recursive: true });
  const hostKeys: Record<string, string> = {};
  for (const [type, args] of [
    ["ssh-ed25519", ["-t", "ed25519"]],
    ["ecdsa-sha2-nistp256", ["-t", "ecdsa", "-b", "256"]],
    ["ssh-rsa", ["-t", "rsa", "-b", "3072"]],
  ] as const) {
    const file = sshKey(dir, `host_${type}`, [...args]);
    hostKeys[type] = readFileSync(`${file}.pub`, "utf8").split(" ").slice(0, 2).join(" ");
  }
  const passphrase = "open sesame";
  const clientFiles = {
    ed25519: sshKey(dir, "client_ed25519", ["-t", "ed25519"]),
    rsa: sshKey(dir, "client_rsa", ["-t", "rsa", "-b", "3072"]),
    rsaPkcs8: sshKey(dir, "client_rsa_pkcs8", ["-t", "rsa", "-b", "2048", "-m", "PKCS8"]),
    ecdsa: sshKey(dir, "client_ecdsa", ["-t", "ecdsa", "-b", "256"]),
    ecdsa384Pem: sshKey(dir, "client_ecdsa384_pem", ["-t", "ecdsa", "-b", "384", "-m", "PEM"]),
    ed25519Encrypted: sshKey(dir, "client_ed25519_enc", ["-t", "ed25519"], passphrase),
    unauthorized: sshKey(dir, "client_unauthorized", ["-t", "ed25519"]),
  };
  const keys: Record<string, string> = {};
  const authorized: string[] = [];
  for (const [name, file] of Object.entries(clientFiles)) {
    keys[name] = readFileSync(file, "utf8");
    if (name !== "unauthorized") authorized.push(readFileSync(`${file}.pub`, "utf8").trim());
  }
  const pem = pemKeys();
  Object.assign(keys, pem.keys);
  authorized.push(...pem.publics);
  writeFileSync(path.join(dir, "authorized_keys"), `${authorized.join("\n")}\n`);
  const config = path.join(dir, "sshd_config");
  writeFileSync(
    config,
    [
      `Port ${port}`,
      "ListenAddress 127.0.0.1",
      ...Object.keys(hostKeys).map((type) => `HostKey ${path.join(dir, `host_${type}`)}`),
      `PidFile ${path.join(dir, "sshd.pid")}`,
      "UsePAM no",
      "PasswordAuthentication yes",
      "KbdInteractiveAuthentication no",
      "PubkeyAuthentication yes",
      `AuthorizedKeysFile ${path.join(dir, "authorized_keys")}`,
      "StrictModes no",
      "PermitRootLogin no",
      `AllowUsers ${TEST_USER}`,
      "LogLevel VERBOSE",
      // The tests open hundreds of connections in a row from one address.
      "MaxStartups 1000",
      "MaxAuthTries 10",
      "ClientAliveInterval 0",
      // The server asks for a new key exchange every 256 KiB, so any test with some output covers rekeying.
      "RekeyLimit 256K",
      "",
    ].join("\n"),
  );
  const child = spawn("/usr/sbin/sshd", ["-D", "-e", "-f", config], {
    detached: true,
    stdio: ["ignore", "ignore", "pipe"],
  });
  const log = path.join(dir, "sshd.log");
  writeFileSync(log, "");
  child.stderr?.on("data", (chunk: Buffer) => appendFileSync(log, chunk));
  const fixture: SshFixture = {
    port,
    user: TEST_USER,
    password: TEST_PASSWORD,
    hostKeys,
    keys,
    passphrase,
    silentPort,
  };
  writeFileSync(path.join(dir, "fixture.json"), JSON.stringify(fixture));
  const silent = createServer(() => {});
  const stop = () => {
    silent.close();
    try {
      if (child.pid) process.kill(-child.pid, "SIGTERM");
    } catch {
      // Already gone.
    }
  };
  try {
    await waitForPort(port, Date.now() + 10_000);
    await new Promise<void>((resolve) => silent.listen(silentPort, "127.0.0.1", resolve));
  } catch (error) {
    stop();
    throw new Error(`${(error as Error).message}; sshd said: ${readFileSync(log, "utf8")}`);
  }
  return { fixture, stop };
}
