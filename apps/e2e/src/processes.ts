/** Processes the end-to-end tests start: each in its own process group, so one kill stops it and its children. */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createWriteStream } from "node:fs";
import net from "node:net";

export interface Started {
  name: string;
  child: ChildProcess;
  /** Stops the whole process group (SIGTERM, then SIGKILL after a grace period). */
  stop(): Promise<void>;
}

const started = new Set<Started>();

export function startGroup(
  name: string,
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; log: string },
) {
  const log = createWriteStream(options.log);
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const handle: Started = {
    name,
    child,
    async stop() {
      started.delete(handle);
      const kill = (signal: NodeJS.Signals) => {
        try {
          process.kill(-child.pid!, signal);
        } catch {
          // The group is gone already.
        }
      };
      kill("SIGTERM");
      const timeout = new Promise((resolve) => setTimeout(resolve, 3000));
      if ((await Promise.race([exited.then(() => "exited"), timeout])) !== "exited") kill("SIGKILL");
      kill("SIGKILL"); // children that outlived the group leader
    },
  };
  started.add(handle);
  return handle;
}

/** Stops every group this process started (the tests' afterAll, and exit as a last resort). */
export async function stopAll(): Promise<void> {
  await Promise.all([...started].map((handle) => handle.stop()));
}
process.once("exit", () => {
  for (const handle of started) {
    try {
      process.kill(-handle.child.pid!, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
});

/** Runs a command to completion; throws with its output when it fails. */
export function run(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {},
) {
  const result = spawnSync(command, args, { ...options, encoding: "utf8" });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(" ")} failed (${result.status}): ${result.stderr || result.stdout}`);
  }
  return result.stdout;
}

/** Polls `check` until it answers a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 30_000,
) {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
}

/** Whether something listens on the port (127.0.0.1). */
export function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}
