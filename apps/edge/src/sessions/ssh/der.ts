/** Just enough DER to read PKCS#8, PKCS#1 and SEC1 private keys. */

export interface DerNode {
  tag: number;
  content: Uint8Array;
}

export function readDer(data: Uint8Array, offset = 0): DerNode & { end: number } {
  if (offset + 2 > data.length) throw new Error("truncated DER");
  const tag = data[offset]!;
  let length = data[offset + 1]!;
  let start = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4) throw new Error("unsupported DER length");
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + data[start + i]!;
    start += count;
  }
  if (start + length > data.length) throw new Error("truncated DER");
  return { tag, content: data.subarray(start, start + length), end: start + length };
}

/** The children of a constructed node (SEQUENCE or a context tag). */
export function derChildren(node: DerNode): DerNode[] {
  const out: DerNode[] = [];
  let offset = 0;
  while (offset < node.content.length) {
    const child = readDer(node.content, offset);
    out.push({ tag: child.tag, content: child.content });
    offset = child.end;
  }
  return out;
}

export function oidText(content: Uint8Array): string {
  const first = content[0] ?? 0;
  const parts = [Math.floor(first / 40), first % 40];
  let value = 0;
  for (let i = 1; i < content.length; i++) {
    const byte = content[i]!;
    value = value * 128 + (byte & 0x7f);
    if (!(byte & 0x80)) {
      parts.push(value);
      value = 0;
    }
  }
  return parts.join(".");
}
