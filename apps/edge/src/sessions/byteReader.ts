/**
 * Reads exact byte counts from a byte stream with BYOB views, so a handshake never consumes a byte
 * beyond what it asked for and the stream can then be handed on untouched.
 */
export class ByteReader {
  private readonly reader: ReadableStreamBYOBReader;

  constructor(stream: ReadableStream<Uint8Array>) {
    this.reader = stream.getReader({ mode: "byob" });
  }

  /** Exactly `length` bytes; throws when the stream ends first. */
  async read(length: number): Promise<Uint8Array> {
    let buffer = new ArrayBuffer(length);
    let filled = 0;
    while (filled < length) {
      const { value, done } = await this.reader.read(new Uint8Array(buffer, filled, length - filled));
      if (done || value === undefined) throw new Error("the connection closed");
      buffer = value.buffer as ArrayBuffer;
      filled += value.byteLength;
    }
    return new Uint8Array(buffer);
  }

  async u8(): Promise<number> {
    return (await this.read(1))[0]!;
  }

  async u32(): Promise<number> {
    return new DataView((await this.read(4)).buffer).getUint32(0);
  }

  /** Gives the stream back (the bridge reads it from here on). */
  release(): void {
    this.reader.releaseLock();
  }
}
