import { describe, expect, it, vi } from "vitest";
import { hashPassword, PBKDF2_LIMIT, passwordProblem, verifyPassword } from "../../src/signin/passwords.ts";

// Each Argon2id hash takes ~100 ms of CPU; on shared cores under the full suite a test can pass 5 s.
vi.setConfig({ testTimeout: 30_000 });

async function django(password: string, iterations: number, salt: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(password), "PBKDF2", false, ["deriveBits"]);
  const params = { name: "PBKDF2", hash: "SHA-256", salt: new TextEncoder().encode(salt), iterations };
  const bits = new Uint8Array(await crypto.subtle.deriveBits(params, key, 256));
  return `pbkdf2_sha256$${iterations}$${salt}$${btoa(String.fromCharCode(...bits))}`;
}

describe("passwords", () => {
  it("hashes with Argon2id at OWASP's minimum and verifies in workerd", async () => {
    const stored = await hashPassword("correct horse");
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(await verifyPassword("correct horse", stored)).toBe("ok");
    expect(await verifyPassword("correct horsf", stored)).toBe("wrong");
    expect(await hashPassword("correct horse")).not.toBe(stored);
  });

  it("refuses users without a password and unknown hash formats", async () => {
    expect(await verifyPassword("x", null)).toBe("wrong");
    expect(await verifyPassword("x", "md5$abc$def")).toBe("wrong");
  });

  it("verifies Django pbkdf2_sha256 up to the Workers limit and asks for a reset above it", async () => {
    const stored = await django("imported-pw", 1000, "saltsalt");
    expect(await verifyPassword("imported-pw", stored)).toBe("rehash");
    expect(await verifyPassword("imported-px", stored)).toBe("wrong");
    expect(await verifyPassword("imported-pw", `pbkdf2_sha256$${PBKDF2_LIMIT + 1}$s$AAAA`)).toBe("reset");
  });

  it("applies the password rules", () => {
    expect(passwordProblem("short", "u")).toMatch(/at least 8/);
    expect(passwordProblem("alice-long", "alice-long")).toMatch(/similar/);
    expect(passwordProblem("good-password", "alice")).toBeNull();
  });
});
