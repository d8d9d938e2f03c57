/**
 * The entry of the separately loaded VNC module (scripts/build-modules.mjs → src/generated/vnc.js): only VNC
 * sessions load it (src/sessions/vncOpener.ts). Its errors are recognised by name (src/sessions/protocol.ts).
 */
import { connect } from "cloudflare:sockets";
import { ByteReader } from "../byteReader.ts";
import { type SessionOpener, SessionRefused, type TargetSession } from "../protocol.ts";
import { BrowserSide, GREETING } from "./client.ts";
import { securityHandshake } from "./handshake.ts";
import { vncPort } from "./port.ts";

/** How long the target may take to accept the connection and finish the security handshake. */
export const HANDSHAKE_TIMEOUT_MS = 10_000;

/** `connect()` wants IPv6 literals bracketed. */
const address = (hostname: string, port: number) =>
  hostname.includes(":") ? `[${hostname}]:${port}` : `${hostname}:${port}`;

/** Opens the target and performs the security handshake; the browser then gets an already-authenticated stream. */
export const openVnc: SessionOpener = async (settings) => {
  const hostname = settings.hostname ?? "";
  if (hostname === "") throw new SessionRefused("the endpoint has no host");
  const target = address(hostname, vncPort(settings));
  const socket = connect(target, { allowHalfOpen: false });
  const writer = socket.writable.getWriter();
  let timer: number | null = null;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new SessionRefused(`the VNC server at ${target} did not finish the handshake in time`)),
      HANDSHAKE_TIMEOUT_MS,
    );
  });
  try {
    await Promise.race([socket.opened, timeout]).catch((error: unknown) => {
      throw error instanceof SessionRefused
        ? error
        : new SessionRefused(`the VNC server at ${target} cannot be reached`);
    });
    const reader = new ByteReader(socket.readable);
    await Promise.race([securityHandshake(reader, (bytes) => writer.write(bytes), settings.password), timeout]).catch(
      (error: unknown) => {
        throw error instanceof SessionRefused
          ? error
          : new SessionRefused(`the VNC server at ${target} closed the connection during the handshake`);
      },
    );
    reader.release();
  } catch (error) {
    await socket.close().catch(() => {});
    throw error;
  } finally {
    clearTimeout(timer);
  }
  const browser = new BrowserSide(settings["read-only"] === "true");
  const session: TargetSession = {
    readable: socket.readable,
    greeting: GREETING,
    write: (bytes) => writer.write(bytes),
    fromBrowser: (bytes) => browser.receive(bytes),
    close: async () => {
      await socket.close().catch(() => {});
    },
  };
  return session;
};
