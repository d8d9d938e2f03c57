import type { ByteReader } from "../byteReader.ts";
import { SessionRefused } from "../protocol.ts";
import { vncAuthResponse } from "./des.ts";

const NONE = 1;
const VNC_AUTH = 2;
export const WRONG_PASSWORD = "the VNC server refused the stored password";
export const PASSWORD_NEEDED =
  "the VNC server asks for a password and none is stored for this endpoint " +
  "(set `password` in its settings, or use auth_mode prompt)";

const text = (bytes: Uint8Array) => new TextDecoder("latin1").decode(bytes);

async function reasonText(reader: ByteReader): Promise<string> {
  const length = await reader.u32();
  return text(await reader.read(Math.min(length, 4096)));
}

/**
 * The RFB 3.8 security handshake with the target, done by the Worker: None when the server allows it
 * and no password is stored, else VNC Authentication with the stored password (one attempt). After it,
 * the server waits for ClientInit, which the browser sends through the bridge.
 */
export async function securityHandshake(
  reader: ByteReader,
  write: (bytes: Uint8Array) => Promise<void>,
  password: string | undefined,
) {
  const version = text(await reader.read(12));
  const match = /^RFB (\d{3})\.(\d{3})\n$/.exec(version);
  if (!match) throw new SessionRefused("the target did not answer as a VNC server");
  const [major, minor] = [Number(match[1]), Number(match[2])];
  if (major < 3 || (major === 3 && minor < 8))
    throw new SessionRefused(`the VNC server speaks RFB ${major}.${minor}; the edge needs 3.8`);
  await write(new TextEncoder().encode("RFB 003.008\n"));

  const count = await reader.u8();
  if (count === 0) throw new SessionRefused(`the VNC server refused the connection: ${await reasonText(reader)}`);
  const offered = [...(await reader.read(count))];
  let chosen: number;
  if (password !== undefined && password !== "" && offered.includes(VNC_AUTH)) chosen = VNC_AUTH;
  else if (offered.includes(NONE)) chosen = NONE;
  else if (offered.includes(VNC_AUTH)) throw new SessionRefused(PASSWORD_NEEDED);
  else
    throw new SessionRefused(
      `the VNC server offers no security type the edge supports (offered: ${offered.join(", ")}; ` +
        "supported: None, VNC Authentication)",
    );
  await write(Uint8Array.of(chosen));

  if (chosen === VNC_AUTH) await write(vncAuthResponse(password!, await reader.read(16)));
  const result = await reader.u32();
  if (result !== 0) {
    if (chosen === VNC_AUTH) throw new SessionRefused(WRONG_PASSWORD);
    throw new SessionRefused(
      `the VNC server refused the connection: ${await reasonText(reader).catch(() => "no reason given")}`,
    );
  }
}
