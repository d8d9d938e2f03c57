/**
 * Write-only secrets in free-form settings (`settings`, `static_settings`). Values under a secret
 * key are stored and merged like any other, but every API answer shows SECRET_MASK instead (the
 * gateway's connect answer excepted, which reads the stored rows). Sending the mask back in a
 * write keeps the stored value, so a client can PUT what it read without erasing credentials.
 *
 * Secret keys, at any depth of objects (and objects inside lists), compared case-insensitively:
 * `password`, `private-key`, `passphrase`, `secret`, and any key ending in `-password` or
 * `-secret`. Public material such as `host-key` is not secret. Any non-null value under a secret
 * key (whatever its type) is masked whole; null stays null.
 */

/** What every API answer shows in place of a stored secret value. */
export const SECRET_MASK = "********";

const SECRET_KEYS = new Set(["password", "private-key", "passphrase", "secret"]);

/** Whether values under this settings key are write-only. */
export function isSecretKey(key: string): boolean {
  const lower = key.toLowerCase();
  return SECRET_KEYS.has(lower) || lower.endsWith("-password") || lower.endsWith("-secret");
}

type JsonObject = Record<string, unknown>;
function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Own data properties only, so a `__proto__` key stays an ordinary key. */
const define = (target: JsonObject, key: string, value: unknown) =>
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });

/** A copy of settings with every secret value replaced by SECRET_MASK (anything else as it is). */
export function maskSecrets<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item) => maskSecrets(item)) as T;
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const [key, item] of Object.entries(value)) {
    define(out, key, isSecretKey(key) && item !== null ? SECRET_MASK : maskSecrets(item));
  }
  return out as T;
}

/**
 * The settings to store for a write: `incoming` as sent, except that a SECRET_MASK under a secret
 * key takes the value `stored` holds at the same place (objects by key, lists by index). A mask
 * with nothing stored at its place is kept as sent.
 */
export function restoreSecrets<T>(incoming: T, stored: unknown): T {
  if (Array.isArray(incoming)) {
    const held = Array.isArray(stored) ? stored : [];
    return incoming.map((item, index) => restoreSecrets(item, held[index])) as T;
  }
  if (!isObject(incoming)) return incoming;
  const held = isObject(stored) ? stored : {};
  const out: JsonObject = {};
  for (const [key, item] of Object.entries(incoming)) {
    const has = Object.hasOwn(held, key);
    if (isSecretKey(key) && item === SECRET_MASK) define(out, key, has ? held[key] : item);
    else define(out, key, restoreSecrets(item, has ? held[key] : undefined));
  }
  return out as T;
}

/** Whether a write carries the mask under some secret key (only then is the stored value needed). */
export function sendsMask(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(sendsMask);
  if (!isObject(value)) return false;
  return Object.entries(value).some(([key, item]) => (isSecretKey(key) && item === SECRET_MASK) || sendsMask(item));
}
