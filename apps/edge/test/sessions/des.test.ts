import { describe, expect, it } from "vitest";
import { desEncryptBlock, vncAuthResponse } from "../../src/sessions/vnc/des.ts";

const hex = (bytes: Uint8Array) => [...bytes].map((byte) => byte.toString(16).padStart(2, "0")).join("");
const bytes = (text: string) => Uint8Array.from(text.match(/../g)!, (pair) => Number.parseInt(pair, 16));

describe("DES", () => {
  it.each([
    // The textbook example (key 133457799BBCDFF1) and FIPS 81's "Now is t" with key 0123456789ABCDEF.
    ["133457799bbcdff1", "0123456789abcdef", "85e813540f0ab405"],
    ["0123456789abcdef", "4e6f772069732074", "3fa40e8a984d4815"],
  ])("key %s encrypts %s to %s", (key, plain, cipher) => {
    expect(hex(desEncryptBlock(bytes(key), bytes(plain)))).toBe(cipher);
  });

  it("refuses keys and blocks that are not 8 bytes", () => {
    expect(() => desEncryptBlock(new Uint8Array(7), new Uint8Array(8))).toThrow(RangeError);
  });
});

describe("VNC Authentication", () => {
  it("answers the challenge with DES keyed by the bit-reversed password (checked against OpenSSL)", () => {
    const challenge = bytes("000102030405060708090a0b0c0d0e0f");
    expect(hex(vncAuthResponse("password", challenge))).toBe("b866924125c8eebb9debc1db61c538e2");
  });

  it("uses only the first 8 characters, zero-padding shorter passwords", () => {
    const challenge = bytes("00112233445566778899aabbccddeeff");
    expect(vncAuthResponse("password-and-more", challenge)).toEqual(vncAuthResponse("password", challenge));
    expect(vncAuthResponse("pw", challenge)).toEqual(vncAuthResponse("pw\0\0\0\0\0\0", challenge));
    expect(vncAuthResponse("pw", challenge)).not.toEqual(vncAuthResponse("pW", challenge));
  });
});
