/**
 * OpenBSD's bcrypt_pbkdf, the key derivation of passphrase-protected OpenSSH private keys (the "bcrypt" kdf):
 * SHA-512 from WebCrypto, Blowfish (with bcrypt's salted key schedule) in plain code.
 */

import { PI_HEX } from "./blowfishTables";
import { concat, own } from "./wire";

const INITIAL = Uint32Array.from({ length: 1042 }, (_, i) => Number.parseInt(PI_HEX.slice(i * 8, i * 8 + 8), 16));

class Blowfish {
  readonly p = INITIAL.slice(0, 18);
  readonly s = INITIAL.slice(18);
  private l = 0;
  private r = 0;

  /** Encrypts the block (l, r) in place. */
  encipher(): void {
    const { p, s } = this;
    let xl = this.l ^ p[0]!;
    let xr = this.r;
    for (let i = 1; i <= 16; i += 2) {
      xr ^=
        (((s[xl >>> 24]! + s[256 + ((xl >>> 16) & 0xff)]!) ^ s[512 + ((xl >>> 8) & 0xff)]!) + s[768 + (xl & 0xff)]!) ^
        p[i]!;
      xl ^=
        (((s[xr >>> 24]! + s[256 + ((xr >>> 16) & 0xff)]!) ^ s[512 + ((xr >>> 8) & 0xff)]!) + s[768 + (xr & 0xff)]!) ^
        p[i + 1]!;
      xl >>>= 0;
      xr >>>= 0;
    }
    this.l = (xr ^ p[17]!) >>> 0;
    this.r = xl >>> 0;
  }

  /** Blowfish_expandstate (data given) or Blowfish_expand0state (data undefined). */
  expand(key: Uint8Array, data?: Uint8Array): void {
    const keyWords = new Words(key);
    for (let i = 0; i < 18; i++) this.p[i] = (this.p[i]! ^ keyWords.next()) >>> 0;
    const dataWords = data ? new Words(data) : undefined;
    this.l = 0;
    this.r = 0;
    const fill = (table: Uint32Array, count: number, offset: number) => {
      for (let i = 0; i < count; i += 2) {
        if (dataWords) {
          this.l = (this.l ^ dataWords.next()) >>> 0;
          this.r = (this.r ^ dataWords.next()) >>> 0;
        }
        this.encipher();
        table[offset + i] = this.l;
        table[offset + i + 1] = this.r;
      }
    };
    fill(this.p, 18, 0);
    fill(this.s, 1024, 0);
  }

  /** Encrypts `words` (pairs) in place. */
  encrypt(words: Uint32Array): void {
    for (let i = 0; i < words.length; i += 2) {
      this.l = words[i]!;
      this.r = words[i + 1]!;
      this.encipher();
      words[i] = this.l;
      words[i + 1] = this.r;
    }
  }
}

/** Blowfish_stream2word: big-endian words from bytes, wrapping around. */
class Words {
  private at = 0;
  constructor(private readonly bytes: Uint8Array) {}
  next(): number {
    let word = 0;
    for (let i = 0; i < 4; i++) {
      word = ((word << 8) | this.bytes[this.at]!) >>> 0;
      this.at = (this.at + 1) % this.bytes.length;
    }
    return word;
  }
}

const MAGIC = new TextEncoder().encode("OxychromaticBlowfishSwatDynamite");

function bcryptHash(sha2pass: Uint8Array, sha2salt: Uint8Array): Uint8Array {
  const state = new Blowfish();
  state.expand(sha2pass, sha2salt);
  for (let i = 0; i < 64; i++) {
    state.expand(sha2salt);
    state.expand(sha2pass);
  }
  const magic = new Words(MAGIC);
  const cdata = Uint32Array.from({ length: 8 }, () => magic.next());
  for (let i = 0; i < 64; i++) state.encrypt(cdata);
  const out = new Uint8Array(32);
  // The output words are written little-endian (as OpenBSD's code does).
  cdata.forEach((word, i) => {
    out[4 * i] = word & 0xff;
    out[4 * i + 1] = (word >>> 8) & 0xff;
    out[4 * i + 2] = (word >>> 16) & 0xff;
    out[4 * i + 3] = word >>> 24;
  });
  return out;
}

const sha512 = async (data: Uint8Array) => new Uint8Array(await crypto.subtle.digest("SHA-512", own(data)));

export async function bcryptPbkdf(password: Uint8Array, salt: Uint8Array, length: number, rounds: number) {
  const key = new Uint8Array(length);
  const stride = Math.ceil(length / 32);
  const amount = Math.ceil(length / stride);
  const sha2pass = await sha512(password);
  for (let count = 1, left = length; left > 0; count++) {
    const countBytes = new Uint8Array([count >>> 24, (count >>> 16) & 0xff, (count >>> 8) & 0xff, count & 0xff]);
    let tmp = bcryptHash(sha2pass, await sha512(concat(salt, countBytes)));
    const out = tmp.slice();
    for (let round = 1; round < rounds; round++) {
      tmp = bcryptHash(sha2pass, await sha512(tmp));
      for (let i = 0; i < out.length; i++) out[i]! ^= tmp[i]!;
    }
    let i = 0;
    for (; i < Math.min(amount, left); i++) {
      const dest = i * stride + (count - 1);
      if (dest >= length) break;
      key[dest] = out[i]!;
    }
    left -= i;
  }
  return key;
}
