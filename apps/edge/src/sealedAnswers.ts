/**
 * Answers kept for Idempotency-Key replays are stored encrypted (AES-GCM) with a key derived (HKDF)
 * from the Idempotency-Key itself, which only the client holds (D1 keeps a SHA-256 of it): a copy of
 * the database alone never reveals a launch's token secret. The caller's id binds the key to them.
 */

const encoder = new TextEncoder();

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let start = 0; start < bytes.length; start += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(start, start + 0x8000));
  return btoa(binary);
}

const fromBase64 = (text: string) => Uint8Array.from(atob(text), (char) => char.charCodeAt(0));

async function keyFor(idempotencyKey: string, userId: number, usage: "encrypt" | "decrypt"): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey("raw", encoder.encode(idempotencyKey), "HKDF", false, ["deriveKey"]);
  const info = encoder.encode(`rac-edge idempotent answer v1 user ${userId}`);
  const params = { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info };
  return crypto.subtle.deriveKey(params, material, { name: "AES-GCM", length: 256 }, false, [usage]);
}

/** The stored form of an answer's body: `iv.data`, both base64. */
export async function sealAnswer(idempotencyKey: string, userId: number, body: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const key = await keyFor(idempotencyKey, userId, "encrypt");
  const data = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv }, key, encoder.encode(body)));
  return `${toBase64(iv)}.${toBase64(data)}`;
}

export async function openAnswer(idempotencyKey: string, userId: number, stored: string): Promise<string> {
  const [iv, data] = stored.split(".");
  const key = await keyFor(idempotencyKey, userId, "decrypt");
  const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: fromBase64(iv!) }, key, fromBase64(data!));
  return new TextDecoder().decode(plain);
}
