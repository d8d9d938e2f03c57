import { describe, expect, it } from "vitest";
import { isSecretKey, maskSecrets, restoreSecrets, SECRET_MASK, sendsMask } from "../src/secrets.ts";

describe("secret keys", () => {
  const exact = ["password", "private-key", "passphrase", "secret"];
  const secret = [...exact, "sftp-password", "x-secret", "PASSWORD", "Y-Secret"];
  const plain = ["host-key", "username", "passwords", "password-hint", "secret-name", "public-key", "port"];
  it.each(secret)("%s is secret", (key) => {
    expect(isSecretKey(key)).toBe(true);
  });
  it.each(plain)("%s is not", (key) => {
    expect(isSecretKey(key)).toBe(false);
  });
});

describe("maskSecrets", () => {
  it("masks every non-null value under a secret key, at any depth, and nothing else", () => {
    const stored = {
      username: "u",
      password: "p",
      "host-key": "ssh-ed25519 AAAA",
      "sftp-password": 7,
      nested: { secret: { deep: "x" }, keep: "k", list: [{ passphrase: "pp", n: 1 }] },
      "private-key": null,
    };
    expect(maskSecrets(stored)).toEqual({
      username: "u",
      password: SECRET_MASK,
      "host-key": "ssh-ed25519 AAAA",
      "sftp-password": SECRET_MASK,
      nested: { secret: SECRET_MASK, keep: "k", list: [{ passphrase: SECRET_MASK, n: 1 }] },
      "private-key": null,
    });
    expect(stored.password).toBe("p");
  });
  it("keeps a __proto__ key an ordinary key", () => {
    const masked = maskSecrets(JSON.parse('{"__proto__": {"password": "p"}}'));
    expect(Object.hasOwn(masked, "__proto__")).toBe(true);
    expect(JSON.stringify(masked)).toBe(`{"__proto__":{"password":"${SECRET_MASK}"}}`);
  });
  it("leaves non-objects alone", () => {
    expect(maskSecrets("password")).toBe("password");
    expect(maskSecrets(null)).toBe(null);
  });
});

describe("restoreSecrets", () => {
  const stored = { password: "p", nested: { secret: "s", list: [{ passphrase: "pp" }] }, other: "o" };
  it("puts the stored value where the mask came back, at any depth", () => {
    expect(restoreSecrets(maskSecrets(stored), stored)).toEqual(stored);
  });
  it("takes new values as sent", () => {
    const sent = { password: "new", nested: { secret: SECRET_MASK, list: [{ passphrase: "pp2" }] } };
    const kept = { password: "new", nested: { secret: "s", list: [{ passphrase: "pp2" }] } };
    expect(restoreSecrets(sent, stored)).toEqual(kept);
  });
  it("keeps a mask with nothing stored at its place, and a mask under a non-secret key, as sent", () => {
    const sent = { "vnc-password": SECRET_MASK, note: SECRET_MASK };
    expect(restoreSecrets(sent, stored)).toEqual(sent);
  });
  it("sendsMask finds a mask under a secret key only", () => {
    expect(sendsMask({ a: [{ password: SECRET_MASK }] })).toBe(true);
    expect(sendsMask({ note: SECRET_MASK, password: "x" })).toBe(false);
  });
});
