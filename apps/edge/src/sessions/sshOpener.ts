import { loadSshModule } from "../lazyModules.ts";
import { type SessionOpener, SessionRefused, type TargetSession } from "./protocol.ts";

/** The data plane's port when the settings name none (the gateway connect answer stays as it is). */
export const DEFAULT_SSH_PORT = 22;

export function sshPort(settings: Record<string, string>): number {
  const text = (settings.port ?? "").trim();
  if (text === "") return DEFAULT_SSH_PORT;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new SessionRefused(`the port setting "${text}" is not a TCP port`);
  }
  return port;
}

/**
 * Opens an SSH session through the separately loaded SSH module. Its errors cross the module boundary
 * as plain errors named SshError, so they are recognised by name and answered as refusals (502).
 */
export const openSshSession: SessionOpener = async (settings, context) => {
  const { openSshTarget } = await loadSshModule();
  const trustOnFirstUse = context.trustOnFirstUse;
  if (trustOnFirstUse === undefined) throw new Error("SSH sessions need the endpoint's host-key store");
  try {
    const target = await openSshTarget(settings, { trustOnFirstUse });
    const session: TargetSession = {
      readable: target.readable,
      write: (bytes) => target.write(bytes),
      control: (message) => target.control(message),
      close: () => target.close(),
      endReason: () => target.reason(),
    };
    return session;
  } catch (error) {
    if (error instanceof Error && error.name === "SshError") {
      throw new SessionRefused(error.message);
    }
    throw error;
  }
};
