/**
 * The operator's allowlist of session targets (`RAC_TARGETS`): comma-separated `*`, `host`,
 * `host:port`, `[IPv6]`, `[IPv6]:port`, or an IPv4/IPv6 CIDR (`10.0.0.0/8`, `fd00::/8`).
 * A CIDR matches IP literals only: names are never resolved, so a name must be listed by name.
 */
import { parseHost } from "./host.ts";

export type TargetRule =
  | { kind: "any" }
  | { kind: "host"; hostname: string; port: number | null }
  | { kind: "cidr"; version: 4 | 6; network: bigint; bits: number };

export type TargetList = { ok: true; rules: TargetRule[] } | { ok: false; invalid: string };

/** An IPv4 literal as a 32-bit number, or null. */
function ipv4(text: string): bigint | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  let value = 0n;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return null;
    value = (value << 8n) | BigInt(part);
  }
  return value;
}

/** An IPv6 literal (with `::` and an optional IPv4 tail) as a 128-bit number, or null. */
function ipv6(text: string): bigint | null {
  const address = text.replace(/%.*$/, "").toLowerCase();
  if (!/^[0-9a-f:.]+$/.test(address) || !address.includes(":")) return null;
  const halves = address.split("::");
  if (halves.length > 2) return null;
  const groups = (half: string): number[] | null => {
    if (half === "") return [];
    const out: number[] = [];
    const pieces = half.split(":");
    for (const [index, piece] of pieces.entries()) {
      if (index === pieces.length - 1 && piece.includes(".")) {
        const v4 = ipv4(piece);
        if (v4 === null) return null;
        out.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
      } else if (/^[0-9a-f]{1,4}$/.test(piece)) out.push(Number.parseInt(piece, 16));
      else return null;
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (head === null || tail === null) return null;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  let value = 0n;
  for (const group of [...head, ...new Array<number>(missing).fill(0), ...tail]) value = (value << 16n) | BigInt(group);
  return value;
}

/** An IP literal's version and value, or null for names. */
export function parseIp(text: string): { version: 4 | 6; value: bigint } | null {
  const v4 = ipv4(text);
  if (v4 !== null) return { version: 4, value: v4 };
  const v6 = ipv6(/^\[(.*)\]$/.exec(text)?.[1] ?? text);
  return v6 === null ? null : { version: 6, value: v6 };
}

const width = (version: 4 | 6) => (version === 4 ? 32 : 128);
const mask = (version: 4 | 6, bits: number) => ((1n << BigInt(bits)) - 1n) << BigInt(width(version) - bits);
const normalName = (name: string) => name.toLowerCase().replace(/\.$/, "");

function parseRule(entry: string): TargetRule | null {
  if (entry === "*") return { kind: "any" };
  const cidr = /^(.+)\/(\d{1,3})$/.exec(entry);
  if (cidr) {
    const ip = parseIp(cidr[1]!);
    const bits = Number(cidr[2]);
    if (ip === null || bits > width(ip.version)) return null;
    return { kind: "cidr", version: ip.version, network: ip.value & mask(ip.version, bits), bits };
  }
  const bare = parseIp(entry);
  if (bare !== null) return { kind: "host", hostname: `${bare.version}:${bare.value}`, port: null };
  const host = parseHost(entry);
  if (host === null) return null;
  const ip = parseIp(host.hostname);
  return {
    kind: "host",
    hostname: ip === null ? normalName(host.hostname) : `${ip.version}:${ip.value}`,
    port: host.port,
  };
}

/**
 * Parses the variable. Unset or blank means no restriction (`*`); an entry that is not one of the
 * forms makes the whole list invalid, so a typo never silently widens or empties the allowlist.
 */
export function parseTargets(text: string | undefined): TargetList {
  if (text === undefined || text.trim() === "") return { ok: true, rules: [{ kind: "any" }] };
  const rules: TargetRule[] = [];
  for (const raw of text.split(",")) {
    const entry = raw.trim();
    if (entry === "") continue;
    const rule = parseRule(entry);
    if (rule === null) return { ok: false, invalid: entry };
    rules.push(rule);
  }
  return { ok: true, rules };
}

/** Whether a target (hostname as in the settings, port) is on the list. */
export function targetAllowed(rules: readonly TargetRule[], hostname: string, port: number): boolean {
  const ip = parseIp(hostname);
  const name = ip === null ? normalName(hostname) : `${ip.version}:${ip.value}`;
  return rules.some((rule) => {
    if (rule.kind === "any") return true;
    if (rule.kind === "host") return rule.hostname === name && (rule.port === null || rule.port === port);
    return ip !== null && ip.version === rule.version && (ip.value & mask(rule.version, rule.bits)) === rule.network;
  });
}
