import { loadArgon2Module } from "../lazyModules.ts";
import type { Argon2Params } from "./argon2.ts";

/** OWASP's minimum for Argon2id: 19 MiB, 2 passes, 1 lane. */
export const ARGON2 = { memorySize: 19 * 1024, passes: 2, parallelism: 1, tagLength: 32 } as const;
/** Deployed Workers refuse WebCrypto PBKDF2 above this many iterations (local workerd does not). */
export const PBKDF2_LIMIT = 100_000;

/** Argon2 and its Wasm are a separate module: only password checks and changes load it. */
const argon2id = async (params: Argon2Params) => (await loadArgon2Module()).argon2id(params);

const encoder = new TextEncoder();
const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replace(/=+$/, "");
const unb64 = (text: string) =>
  Uint8Array.from(atob(text.padEnd(Math.ceil(text.length / 4) * 4, "=")), (c) => c.charCodeAt(0));

/** Constant time for equal lengths: the comparison must not tell how much of a hash matched. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** A new password's PHC string: `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`. */
export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const hash = await argon2id({ password: encoder.encode(password), salt, ...ARGON2 });
  const { memorySize: m, passes: t, parallelism: p } = ARGON2;
  return `$argon2id$v=19$m=${m},t=${t},p=${p}$${b64(salt)}$${b64(hash)}`;
}

export type Verdict = "ok" | "rehash" | "wrong" | "reset";

const PHC = /^\$argon2id\$v=19\$m=(\d{1,7}),t=(\d{1,3}),p=(\d{1,2})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

async function verifyArgon2(password: string, match: RegExpExecArray): Promise<Verdict> {
  const [, m, t, p, salt, expected] = match as unknown as string[];
  const params = { memorySize: Number(m), passes: Number(t), parallelism: Number(p) };
  const stored = unb64(expected!);
  const hash = await argon2id({
    password: encoder.encode(password),
    salt: unb64(salt!),
    ...params,
    tagLength: stored.length,
  });
  if (!sameBytes(hash, stored)) return "wrong";
  const current =
    params.memorySize === ARGON2.memorySize && params.passes === ARGON2.passes && params.parallelism === 1;
  return current ? "ok" : "rehash";
}

/**
 * Django's `pbkdf2_sha256$<iterations>$<salt>$<base64 hash>` (users imported from authentik): verified
 * with WebCrypto up to PBKDF2_LIMIT iterations; above it the user must have their password set again.
 */
async function verifyDjango(password: string, stored: string): Promise<Verdict> {
  const [, iterations, salt, expected] = stored.split("$") as [string, string, string, string];
  const rounds = Number(iterations);
  if (!Number.isSafeInteger(rounds) || rounds < 1) return "wrong";
  if (rounds > PBKDF2_LIMIT) return "reset";
  const key = await crypto.subtle.importKey("raw", encoder.encode(password), "PBKDF2", false, ["deriveBits"]);
  const params = { name: "PBKDF2", hash: "SHA-256", salt: encoder.encode(salt), iterations: rounds };
  const bits = new Uint8Array(await crypto.subtle.deriveBits(params, key, 256));
  return sameBytes(bits, unb64(expected)) ? "rehash" : "wrong";
}

/** "ok"; "rehash" (right, but stored in an older form: store hashPassword's); "wrong"; "reset" (not checkable here). */
export async function verifyPassword(password: string, stored: string | null): Promise<Verdict> {
  if (stored === null) return "wrong";
  const argon = PHC.exec(stored);
  if (argon !== null) return verifyArgon2(password, argon);
  if (stored.startsWith("pbkdf2_sha256$") && stored.split("$").length === 4) return verifyDjango(password, stored);
  return "wrong";
}

/** authentik's minimum rules here: DRF field errors for `password`, or null when acceptable. */
export function passwordProblem(password: string, username: string): string | null {
  if (password.length < 8) return "Ensure this field has at least 8 characters.";
  if (password === username) return "The password is too similar to the username.";
  return null;
}
