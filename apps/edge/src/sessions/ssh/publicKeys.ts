/** SSH public keys: signature checks of host keys, fingerprints and the `host-key` pins. */

import { concat, equalBytes, fromBase64, own, SshReader, SshWriter, toBase64, toBase64Url } from "./wire";

export const CURVES: Record<string, { curve: string; hash: string; size: number }> = {
  nistp256: { curve: "P-256", hash: "SHA-256", size: 32 },
  nistp384: { curve: "P-384", hash: "SHA-384", size: 48 },
  nistp521: { curve: "P-521", hash: "SHA-512", size: 66 },
};

/** Key types a pin may name, mapped to the host-key algorithms that make the server present that key. */
const KEY_TYPES: Record<string, string[]> = {
  "ssh-ed25519": ["ssh-ed25519"],
  "ecdsa-sha2-nistp256": ["ecdsa-sha2-nistp256"],
  "ecdsa-sha2-nistp384": ["ecdsa-sha2-nistp384"],
  "ecdsa-sha2-nistp521": ["ecdsa-sha2-nistp521"],
  "ssh-rsa": ["rsa-sha2-512", "rsa-sha2-256"],
};

export const HOST_KEY_ALGORITHMS = [
  "ssh-ed25519",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "rsa-sha2-512",
  "rsa-sha2-256",
];

export const keyType = (blob: Uint8Array): string => new SshReader(blob).text();

/** OpenSSH's fingerprint form: `SHA256:` and unpadded base64 of the key blob's SHA-256. */
export async function fingerprint(blob: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", own(blob)));
  return `SHA256:${toBase64(digest).replace(/=+$/, "")}`;
}

/** The one-line form recorded on trust on first use: `ssh-ed25519 AAAA...`. */
export const publicKeyLine = (blob: Uint8Array): string => `${keyType(blob)} ${toBase64(blob)}`;

/** A DER/P1363 helper: an unsigned magnitude left-padded to `size` bytes. */
export function padTo(magnitude: Uint8Array, size: number): Uint8Array {
  if (magnitude.length > size) throw new Error("integer too large for its curve");
  return concat(new Uint8Array(size - magnitude.length), magnitude);
}

/** Checks an SSH signature blob over `data` with an SSH public key blob; false on any mismatch. */
export async function verifySignature(keyBlob: Uint8Array, signature: Uint8Array, data: Uint8Array, algorithm: string) {
  const key = new SshReader(keyBlob);
  const type = key.text();
  const sig = new SshReader(signature);
  const sigType = sig.text();
  const sigBody = sig.string();
  if (sigType !== algorithm) return false;
  const message = own(data);
  if (type === "ssh-ed25519" && algorithm === "ssh-ed25519") {
    const publicKey = await crypto.subtle.importKey("raw", own(key.string()), { name: "Ed25519" }, false, ["verify"]);
    return crypto.subtle.verify({ name: "Ed25519" }, publicKey, own(sigBody), message);
  }
  if (type.startsWith("ecdsa-sha2-") && algorithm === type) {
    const curveName = key.text();
    const params = CURVES[curveName];
    if (params === undefined || type !== `ecdsa-sha2-${curveName}`) return false;
    const point = key.string();
    const publicKey = await crypto.subtle.importKey(
      "raw",
      own(point),
      { name: "ECDSA", namedCurve: params.curve },
      false,
      ["verify"],
    );
    const rs = new SshReader(sigBody);
    const p1363 = concat(padTo(rs.mpint(), params.size), padTo(rs.mpint(), params.size));
    return crypto.subtle.verify({ name: "ECDSA", hash: params.hash }, publicKey, own(p1363), message);
  }
  if (type === "ssh-rsa" && (algorithm === "rsa-sha2-256" || algorithm === "rsa-sha2-512")) {
    const e = key.mpint();
    const n = key.mpint();
    if (n.length * 8 < 2048) return false;
    const jwk = { kty: "RSA", e: toBase64Url(e), n: toBase64Url(n) };
    const hash = algorithm === "rsa-sha2-256" ? "SHA-256" : "SHA-512";
    const publicKey = await crypto.subtle.importKey("jwk", jwk, { name: "RSASSA-PKCS1-v1_5", hash }, false, ["verify"]);
    return crypto.subtle.verify({ name: "RSASSA-PKCS1-v1_5" }, publicKey, own(sigBody), message);
  }
  return false;
}

export type HostKeyPin = { kind: "key"; blob: Uint8Array } | { kind: "fingerprint"; value: string };

/**
 * The pins in a `host-key` setting, one per line: a bare key (`ssh-ed25519 AAAA...`), a known_hosts entry
 * (host names first) or an OpenSSH `SHA256:` fingerprint. Blank lines and `#` comments are skipped.
 * Throws with the offending line's number when a line is none of these, so a typo never disables a pin.
 */
export function parseHostKeyPins(setting: string): HostKeyPin[] {
  const pins: HostKeyPin[] = [];
  setting.split(/\r?\n/).forEach((rawLine, index) => {
    const line = rawLine.trim();
    if (line === "" || line.startsWith("#")) return;
    const fingerprintMatch = /^SHA256:([A-Za-z0-9+/]{43})=?$/.exec(line);
    if (fingerprintMatch) {
      pins.push({ kind: "fingerprint", value: `SHA256:${fingerprintMatch[1]}` });
      return;
    }
    const tokens = line.split(/\s+/);
    if (tokens[0]?.startsWith("@"))
      throw new Error(`host-key line ${index + 1}: known_hosts markers are not supported`);
    const at = tokens.findIndex((token) => token in KEY_TYPES);
    if (at < 0 || at + 1 >= tokens.length)
      throw new Error(`host-key line ${index + 1}: not a public key or fingerprint`);
    let blob: Uint8Array;
    try {
      blob = fromBase64(tokens[at + 1] ?? "");
      if (keyType(blob) !== tokens[at]) throw new Error("type mismatch");
    } catch {
      throw new Error(`host-key line ${index + 1}: the key data does not decode as a ${tokens[at]} key`);
    }
    pins.push({ kind: "key", blob });
  });
  return pins;
}

/** Host-key algorithms in our order, those of pinned key types first so the server presents a pinned key. */
export function hostKeyAlgorithmsFor(pins: HostKeyPin[]): string[] {
  const preferred = new Set<string>();
  for (const pin of pins)
    if (pin.kind === "key") for (const alg of KEY_TYPES[keyType(pin.blob)] ?? []) preferred.add(alg);
  return [
    ...HOST_KEY_ALGORITHMS.filter((alg) => preferred.has(alg)),
    ...HOST_KEY_ALGORITHMS.filter((a) => !preferred.has(a)),
  ];
}

export async function matchesPin(blob: Uint8Array, pins: HostKeyPin[]): Promise<boolean> {
  const print = await fingerprint(blob);
  return pins.some((pin) => (pin.kind === "key" ? equalBytes(pin.blob, blob) : pin.value === print));
}

/** An SSH public key blob from its parts. */
export const ed25519Blob = (publicKey: Uint8Array) => new SshWriter().string("ssh-ed25519").string(publicKey).bytes();
export const rsaBlob = (e: Uint8Array, n: Uint8Array) => new SshWriter().string("ssh-rsa").mpint(e).mpint(n).bytes();
export const ecdsaBlob = (curve: string, point: Uint8Array) =>
  new SshWriter().string(`ecdsa-sha2-${curve}`).string(curve).string(point).bytes();
