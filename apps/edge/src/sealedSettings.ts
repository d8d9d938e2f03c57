/**
 * A launch's prompt settings (username, password) are stored encrypted with a key derived from the
 * connection token's secret, which only the launching client and the gateway hold (D1 keeps its
 * SHA-256). A copy of the database alone therefore never reveals a prompted password.
 */

const INFO = new TextEncoder().encode("rac-edge connection token prompt settings v1");

interface Sealed {
  iv: string;
  data: string;
}

const toBase64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const fromBase64 = (text: string) => Uint8Array.from(atob(text), (char) => char.charCodeAt(0));

async function keyFor(secret: string, usage: "encrypt" | "decrypt"): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), "HKDF", false, ["deriveKey"]);
  return crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: INFO },
    material,
    { name: "AES-GCM", length: 256 },
    false,
    [usage],
  );
}

/** The stored form (JSON text) of a launch's prompt settings; `{}` when there are none. */
export async function sealSettings(secret: string, settings: Record<string, string> | undefined): Promise<string> {
  if (settings === undefined) return "{}";
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const plain = new TextEncoder().encode(JSON.stringify(settings));
  const data = new Uint8Array(
    await crypto.subtle.encrypt({ name: "AES-GCM", iv }, await keyFor(secret, "encrypt"), plain),
  );
  return JSON.stringify({ iv: toBase64(iv), data: toBase64(data) } satisfies Sealed);
}

/** The prompt settings back, given the token's secret; `{}` when none were stored. */
export async function openSettings(secret: string, stored: string): Promise<Record<string, string>> {
  const sealed = JSON.parse(stored) as Partial<Sealed>;
  if (typeof sealed.iv !== "string" || typeof sealed.data !== "string") return {};
  const plain = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: fromBase64(sealed.iv) },
    await keyFor(secret, "decrypt"),
    fromBase64(sealed.data),
  );
  return JSON.parse(new TextDecoder().decode(plain)) as Record<string, string>;
}
