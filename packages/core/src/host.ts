/**
 * An endpoint's `host`: `name`, `name:port`, `[IPv6]` or `[IPv6]:port` (a bare IPv6 literal is
 * ambiguous with a port and refused). authentik splits at the first colon and mangles IPv6.
 */
export interface Host {
  hostname: string;
  port: number | null;
}

export const HOST_FORMAT_MESSAGE =
  "Enter a host as name, name:port, [IPv6] or [IPv6]:port, with a port from 1 to 65535.";

const NAME = /^(?=.{1,253}$)[a-zA-Z0-9_](?:[a-zA-Z0-9_-]{0,62})(?:\.[a-zA-Z0-9_](?:[a-zA-Z0-9_-]{0,62}))*\.?$/;
const IPV6 = /^[0-9a-fA-F:.]+(%[\w.-]+)?$/;

function port(text: string | undefined): number | null | undefined {
  if (text === undefined) return null;
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const value = Number(text);
  return value >= 1 && value <= 65535 ? value : undefined;
}

/** The parsed host, or null when it is not one of the accepted forms. */
export function parseHost(text: string): Host | null {
  const host = text.trim();
  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(host);
  if (bracketed) {
    const address = bracketed[1]!;
    const parsedPort = port(bracketed[2]);
    if (!IPV6.test(address) || !address.includes(":") || parsedPort === undefined) return null;
    return { hostname: address, port: parsedPort };
  }
  const parts = host.split(":");
  if (parts.length > 2) return null;
  const parsedPort = port(parts[1]);
  if (!NAME.test(parts[0]!) || parsedPort === undefined) return null;
  return { hostname: parts[0]!, port: parsedPort };
}
