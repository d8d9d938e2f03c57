/**
 * The `private-key` setting as a signer: OpenSSH's own format (`BEGIN OPENSSH PRIVATE KEY`, what ssh-keygen
 * writes) and PEM (PKCS#8, PKCS#1 RSA, SEC1 EC), for ed25519, ECDSA and RSA keys, imported into WebCrypto.
 */

import { derChildren, oidText, readDer } from "./der";
import { KeyError } from "./errors";
import { decryptOpenSshPrivate } from "./keyEncryption";
import { CURVES, ecdsaBlob, ed25519Blob, padTo, rsaBlob } from "./publicKeys";
import { concat, fromBase64, fromBase64Url, fromUtf8, own, SshReader, SshWriter, toBase64Url } from "./wire";

export interface Signer {
  /** The public key blob sent in the publickey request. */
  publicBlob: Uint8Array;
  /** The signature algorithm name, given the server's `server-sig-algs` (undefined when it sent none). */
  algorithm(serverSigAlgs: string[] | undefined): string;
  /** An SSH signature blob over `data` with the named algorithm. */
  sign(data: Uint8Array, algorithm: string): Promise<Uint8Array>;
}

const CURVE_BY_OID: Record<string, string> = {
  "1.2.840.10045.3.1.7": "nistp256",
  "1.3.132.0.34": "nistp384",
  "1.3.132.0.35": "nistp521",
};

const signatureBlob = (algorithm: string, body: Uint8Array) => new SshWriter().string(algorithm).string(body).bytes();

function ed25519Signer(key: CryptoKey, publicKey: Uint8Array): Signer {
  return {
    publicBlob: ed25519Blob(publicKey),
    algorithm: () => "ssh-ed25519",
    async sign(data) {
      const sig = new Uint8Array(await crypto.subtle.sign({ name: "Ed25519" }, key, own(data)));
      return signatureBlob("ssh-ed25519", sig);
    },
  };
}

function ecdsaSigner(key: CryptoKey, curve: string, point: Uint8Array): Signer {
  const params = CURVES[curve]!;
  const name = `ecdsa-sha2-${curve}`;
  return {
    publicBlob: ecdsaBlob(curve, point),
    algorithm: () => name,
    async sign(data) {
      const p1363 = new Uint8Array(await crypto.subtle.sign({ name: "ECDSA", hash: params.hash }, key, own(data)));
      const rs = new SshWriter().mpint(p1363.subarray(0, params.size)).mpint(p1363.subarray(params.size)).bytes();
      return signatureBlob(name, rs);
    },
  };
}

async function rsaSigner(exported: JsonWebKey): Promise<Signer> {
  // An exported JWK names its hash (`alg`); the same key is imported for both SHA-2 hashes.
  const { alg: _alg, key_ops: _ops, ...jwk } = exported;
  const usage: ("sign" | "verify")[] = ["sign"];
  const sha512 = await crypto.subtle.importKey(
    "jwk",
    jwk,
    { name: "RSASSA-PKCS1-v1_5", hash: "SHA-512" },
    false,
    usage,
  );
  const sha256 = await crypto.subtle.importKey(
    "jwk",
    jwk,
    { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
    false,
    usage,
  );
  return {
    publicBlob: rsaBlob(fromBase64Url(jwk.e ?? ""), fromBase64Url(jwk.n ?? "")),
    // SHA-1 `ssh-rsa` signatures are never made: servers that do not announce SHA-2 get rsa-sha2-512 anyway.
    algorithm: (algs) =>
      algs !== undefined && !algs.includes("rsa-sha2-512") && algs.includes("rsa-sha2-256")
        ? "rsa-sha2-256"
        : "rsa-sha2-512",
    async sign(data, algorithm) {
      const key = algorithm === "rsa-sha2-256" ? sha256 : sha512;
      const sig = new Uint8Array(await crypto.subtle.sign({ name: "RSASSA-PKCS1-v1_5" }, key, own(data)));
      return signatureBlob(algorithm, sig);
    },
  };
}

const big = (bytes: Uint8Array) =>
  bytes.length === 0 ? 0n : BigInt(`0x${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`);
function unbig(value: bigint): Uint8Array {
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  return Uint8Array.from(hex.match(/../g) ?? [], (pair) => Number.parseInt(pair, 16));
}

async function importEd25519(seed: Uint8Array, publicKey: Uint8Array): Promise<Signer> {
  const jwk = { kty: "OKP", crv: "Ed25519", d: toBase64Url(seed), x: toBase64Url(publicKey) };
  const key = await crypto.subtle.importKey("jwk", jwk, { name: "Ed25519" }, false, ["sign"]);
  return ed25519Signer(key, publicKey);
}

async function importEcdsa(curve: string, point: Uint8Array, d: Uint8Array): Promise<Signer> {
  const params = CURVES[curve];
  if (params === undefined || point[0] !== 4 || point.length !== 1 + 2 * params.size) {
    throw new KeyError(`unsupported ECDSA key (${curve})`);
  }
  const jwk = {
    kty: "EC",
    crv: params.curve,
    x: toBase64Url(point.subarray(1, 1 + params.size)),
    y: toBase64Url(point.subarray(1 + params.size)),
    d: toBase64Url(padTo(d, params.size)),
  };
  const key = await crypto.subtle.importKey("jwk", jwk, { name: "ECDSA", namedCurve: params.curve }, false, ["sign"]);
  return ecdsaSigner(key, curve, point);
}

function rsaJwk(n: Uint8Array, e: Uint8Array, d: Uint8Array, p: Uint8Array, q: Uint8Array, qi: Uint8Array): JsonWebKey {
  const dn = big(d);
  const b64 = (value: Uint8Array) => toBase64Url(value);
  return {
    kty: "RSA",
    n: b64(n),
    e: b64(e),
    d: b64(d),
    p: b64(p),
    q: b64(q),
    dp: b64(unbig(dn % (big(p) - 1n))),
    dq: b64(unbig(dn % (big(q) - 1n))),
    qi: b64(qi),
  };
}

async function parseOpenSsh(body: Uint8Array, passphrase: string | undefined): Promise<Signer> {
  const magic = "openssh-key-v1\0";
  if (fromUtf8(body.subarray(0, magic.length)) !== magic) throw new KeyError("not an OpenSSH private key");
  const reader = new SshReader(body.subarray(magic.length));
  const cipher = reader.text();
  const kdf = reader.text();
  const kdfOptions = reader.string();
  if (reader.uint32() !== 1) throw new KeyError("OpenSSH key files with several keys are not supported");
  reader.string(); // the public key, repeated inside the private section
  let secret = reader.string();
  if (cipher !== "none") {
    if (!passphrase) throw new KeyError("the private key is encrypted and no passphrase is set");
    // AEAD ciphers append their tag after the encrypted section.
    secret = await decryptOpenSshPrivate(cipher, kdf, kdfOptions, secret, reader.rest(), passphrase);
  }
  const section = new SshReader(secret);
  const check = section.uint32();
  if (check !== section.uint32()) {
    throw new KeyError(
      cipher === "none" ? "the private key is corrupt" : "the passphrase does not decrypt the private key",
    );
  }
  const type = section.text();
  if (type === "ssh-ed25519") {
    const publicKey = section.string();
    const privateKey = section.string();
    return importEd25519(privateKey.subarray(0, 32), publicKey);
  }
  if (type.startsWith("ecdsa-sha2-")) {
    const curve = section.text();
    const point = section.string();
    return importEcdsa(curve, point, section.mpint());
  }
  if (type === "ssh-rsa") {
    const n = section.mpint();
    const e = section.mpint();
    const d = section.mpint();
    const qi = section.mpint();
    const p = section.mpint();
    const q = section.mpint();
    return rsaSigner(rsaJwk(n, e, d, p, q, qi));
  }
  throw new KeyError(`unsupported private key type ${type}`);
}

async function parsePkcs8(der: Uint8Array): Promise<Signer> {
  const [, algorithm] = derChildren(readDer(der));
  const [oid, params] = derChildren(algorithm ?? { tag: 0, content: new Uint8Array(0) });
  if (oid === undefined) throw new KeyError("the PKCS#8 key names no algorithm");
  const kind = oidText(oid.content);
  const body = own(der);
  if (kind === "1.3.101.112") {
    const key = await crypto.subtle.importKey("pkcs8", body, { name: "Ed25519" }, true, ["sign"]);
    const jwk = (await crypto.subtle.exportKey("jwk", key)) as JsonWebKey;
    return importEd25519(fromBase64Url(jwk.d ?? ""), fromBase64Url(jwk.x ?? ""));
  }
  if (kind === "1.2.840.113549.1.1.1") {
    const key = await crypto.subtle.importKey("pkcs8", body, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-512" }, true, [
      "sign",
    ]);
    return rsaSigner((await crypto.subtle.exportKey("jwk", key)) as JsonWebKey);
  }
  if (kind === "1.2.840.10045.2.1") {
    const curve = params === undefined ? undefined : CURVE_BY_OID[oidText(params.content)];
    if (curve === undefined) throw new KeyError("unsupported ECDSA curve");
    const key = await crypto.subtle.importKey(
      "pkcs8",
      body,
      { name: "ECDSA", namedCurve: CURVES[curve]!.curve },
      true,
      ["sign"],
    );
    const jwk = (await crypto.subtle.exportKey("jwk", key)) as JsonWebKey;
    const point = concat(new Uint8Array([4]), fromBase64Url(jwk.x ?? ""), fromBase64Url(jwk.y ?? ""));
    return importEcdsa(curve, point, fromBase64Url(jwk.d ?? ""));
  }
  throw new KeyError(`unsupported PKCS#8 key algorithm ${kind}`);
}

function parsePkcs1(der: Uint8Array): Promise<Signer> {
  const parts = derChildren(readDer(der)).map((node) => {
    let start = 0;
    while (start < node.content.length - 1 && node.content[start] === 0) start++;
    return node.content.subarray(start);
  });
  const [, n, e, d, p, q, , , qi] = parts;
  if (qi === undefined || !n || !e || !d || !p || !q) throw new KeyError("the RSA private key is incomplete");
  return rsaSigner(rsaJwk(n, e, d, p, q, qi));
}

function parseSec1(der: Uint8Array): Promise<Signer> {
  const children = derChildren(readDer(der));
  const d = children[1]?.content;
  const oid = children.find((node) => node.tag === 0xa0);
  const pub = children.find((node) => node.tag === 0xa1);
  const curve =
    oid === undefined ? undefined : CURVE_BY_OID[oidText(derChildren(oid)[0]?.content ?? new Uint8Array(1))];
  if (curve === undefined || pub === undefined || d === undefined)
    throw new KeyError("the EC private key lacks its curve or public point");
  const bits = derChildren(pub)[0]?.content ?? new Uint8Array(0);
  return importEcdsa(curve, bits.subarray(1), d);
}

/** A signer for the `private-key` setting; throws KeyError with a reason a user can act on. */
export async function parsePrivateKey(text: string, passphrase: string | undefined): Promise<Signer> {
  const match = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/.exec(text);
  if (!match) throw new KeyError("the private key is not in OpenSSH or PEM format");
  const label = match[1] ?? "";
  const rawBody = match[2] ?? "";
  if (/Proc-Type:\s*4,ENCRYPTED/.test(rawBody)) {
    throw new KeyError("legacy encrypted PEM keys are not supported: convert with ssh-keygen -p -f KEY");
  }
  let body: Uint8Array;
  try {
    body = fromBase64(rawBody);
  } catch {
    throw new KeyError("the private key's base64 body does not decode");
  }
  try {
    if (label === "OPENSSH PRIVATE KEY") return await parseOpenSsh(body, passphrase);
    if (label === "PRIVATE KEY") return await parsePkcs8(body);
    if (label === "RSA PRIVATE KEY") return await parsePkcs1(body);
    if (label === "EC PRIVATE KEY") return await parseSec1(body);
  } catch (error) {
    if (error instanceof KeyError) throw error;
    throw new KeyError(`the private key could not be read (${error instanceof Error ? error.message : String(error)})`);
  }
  if (label === "ENCRYPTED PRIVATE KEY")
    throw new KeyError("encrypted PKCS#8 keys are not supported: use an OpenSSH key");
  throw new KeyError(`unsupported private key format (${label})`);
}
