/** SSH's wire encoding (RFC 4251 section 5): a growing writer and a bounds-checked reader. */

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export const utf8 = (text: string): Uint8Array => encoder.encode(text);
export const fromUtf8 = (bytes: Uint8Array): string => decoder.decode(bytes);

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** An unsigned big-endian magnitude as an SSH mpint body: no leading zeros, a zero byte when the top bit is set. */
export function mpintBody(magnitude: Uint8Array): Uint8Array {
  let start = 0;
  while (start < magnitude.length && magnitude[start] === 0) start++;
  const trimmed = magnitude.subarray(start);
  if (trimmed.length > 0 && trimmed[0]! & 0x80) return concat(new Uint8Array([0]), trimmed);
  return trimmed;
}

export class SshWriter {
  private buffer = new Uint8Array(256);
  private length = 0;

  private reserve(extra: number): void {
    if (this.length + extra <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < this.length + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buffer.subarray(0, this.length));
    this.buffer = next;
  }

  byte(value: number): this {
    this.reserve(1);
    this.buffer[this.length++] = value;
    return this;
  }

  bool(value: boolean): this {
    return this.byte(value ? 1 : 0);
  }

  uint32(value: number): this {
    this.reserve(4);
    new DataView(this.buffer.buffer).setUint32(this.length, value >>> 0);
    this.length += 4;
    return this;
  }

  raw(bytes: Uint8Array): this {
    this.reserve(bytes.length);
    this.buffer.set(bytes, this.length);
    this.length += bytes.length;
    return this;
  }

  string(value: Uint8Array | string): this {
    const bytes = typeof value === "string" ? utf8(value) : value;
    return this.uint32(bytes.length).raw(bytes);
  }

  nameList(names: readonly string[]): this {
    return this.string(names.join(","));
  }

  /** An mpint from an unsigned big-endian magnitude. */
  mpint(magnitude: Uint8Array): this {
    return this.string(mpintBody(magnitude));
  }

  bytes(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }
}

export class SshReader {
  offset = 0;
  constructor(private readonly data: Uint8Array) {}

  private take(count: number): Uint8Array {
    if (count < 0 || this.offset + count > this.data.length) throw new Error("malformed SSH message: truncated");
    const out = this.data.subarray(this.offset, this.offset + count);
    this.offset += count;
    return out;
  }

  byte(): number {
    return this.take(1)[0]!;
  }

  bool(): boolean {
    return this.byte() !== 0;
  }

  uint32(): number {
    const bytes = this.take(4);
    return new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0);
  }

  raw(count: number): Uint8Array {
    return this.take(count);
  }

  string(): Uint8Array {
    return this.take(this.uint32());
  }

  text(): string {
    return fromUtf8(this.string());
  }

  nameList(): string[] {
    const text = this.text();
    return text === "" ? [] : text.split(",");
  }

  /** An mpint's unsigned magnitude (SSH keys and signatures never carry negative numbers). */
  mpint(): Uint8Array {
    const body = this.string();
    if (body.length > 0 && body[0]! & 0x80) throw new Error("malformed SSH message: negative mpint");
    let start = 0;
    while (start < body.length && body[start] === 0) start++;
    return body.subarray(start);
  }

  rest(): Uint8Array {
    return this.take(this.data.length - this.offset);
  }

  get remaining(): number {
    return this.data.length - this.offset;
  }
}

export function toBase64(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

export function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text.replace(/\s+/g, "")), (char) => char.charCodeAt(0));
}

export function toBase64Url(bytes: Uint8Array): string {
  return toBase64(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function fromBase64Url(text: string): Uint8Array {
  return fromBase64(text.replace(/-/g, "+").replace(/_/g, "/"));
}

/** A copy with its own ArrayBuffer, as WebCrypto's BufferSource typing wants. */
export const own = (bytes: Uint8Array): Uint8Array<ArrayBuffer> => new Uint8Array(bytes);
