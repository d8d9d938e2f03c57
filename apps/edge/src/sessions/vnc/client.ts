import { SessionViolation } from "../protocol.ts";

/** What the browser is told first: the edge speaks RFB 3.8 and offers only None (the edge did the real security). */
export const GREETING = new TextEncoder().encode("RFB 003.008\n");
const SECURITY_NONE_ONLY = Uint8Array.of(1, 1);
const SECURITY_OK = Uint8Array.of(0, 0, 0, 0);

/** Client message types a read-only session forwards (they change what is shown, not the remote machine). */
const SET_PIXEL_FORMAT = 0;
const SET_ENCODINGS = 2;
const UPDATE_REQUEST = 3;
const KEY = 4;
const POINTER = 5;
const CUT_TEXT = 6;
const CONTINUOUS_UPDATES = 150;
const FENCE = 248;
const XVP = 250;
const DESKTOP_SIZE = 251;
const QEMU = 255;
/** Pseudo-encodings that would change the length of a client message the filter must parse (extended pointer). */
const LENGTH_CHANGING_ENCODINGS = new Set([-316]);

type Stage = "version" | "security" | "messages";

/**
 * The browser's side of the RFB stream: the edge's own short handshake (version, security type None)
 * and then, for read-only sessions, a parser of client messages that forwards only those that do not
 * act on the remote machine and closes the session on anything it does not know (fail closed).
 */
export class BrowserSide {
  private stage: Stage = "version";
  private pending: Uint8Array = new Uint8Array(0);
  private initialised = false;

  constructor(private readonly readOnly: boolean) {}

  receive(bytes: Uint8Array): { toBrowser: Uint8Array[]; toTarget: Uint8Array[] } {
    const toBrowser: Uint8Array[] = [];
    const toTarget: Uint8Array[] = [];
    if (this.stage === "messages" && !this.readOnly && this.pending.length === 0) {
      toTarget.push(bytes); // read-write: the fast path, bytes pass as they come
      return { toBrowser, toTarget };
    }
    this.pending = this.pending.length === 0 ? bytes : concat(this.pending, bytes);
    while (this.pending.length > 0) {
      const used = this.step(toBrowser, toTarget);
      if (used === 0) break;
      this.pending = this.pending.subarray(used);
    }
    return { toBrowser, toTarget };
  }

  /** Consumes one unit from `pending`; 0 when more bytes are needed. */
  private step(toBrowser: Uint8Array[], toTarget: Uint8Array[]): number {
    const data = this.pending;
    if (this.stage === "version") {
      if (data.length < 12) return 0;
      if (!/^RFB 003\.00[89]\n$/.test(new TextDecoder().decode(data.subarray(0, 12)))) {
        throw new SessionViolation("the browser does not speak RFB 3.8");
      }
      toBrowser.push(SECURITY_NONE_ONLY);
      this.stage = "security";
      return 12;
    }
    if (this.stage === "security") {
      if (data[0] !== 1) throw new SessionViolation("the browser chose a security type the edge did not offer");
      toBrowser.push(SECURITY_OK);
      this.stage = "messages";
      return 1;
    }
    if (!this.initialised) {
      this.initialised = true;
      toTarget.push(data.subarray(0, 1)); // ClientInit (shared flag)
      return 1;
    }
    if (!this.readOnly) {
      toTarget.push(data);
      return data.length;
    }
    return this.readOnlyMessage(data, toTarget);
  }

  private readOnlyMessage(data: Uint8Array, toTarget: Uint8Array[]): number {
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const need = (length: number) => (data.length >= length ? length : 0);
    switch (data[0]) {
      case SET_PIXEL_FORMAT:
      case UPDATE_REQUEST:
      case CONTINUOUS_UPDATES: {
        const length = need(data[0] === SET_PIXEL_FORMAT ? 20 : 10);
        if (length) toTarget.push(data.subarray(0, length));
        return length;
      }
      case SET_ENCODINGS: {
        if (data.length < 4) return 0;
        const length = need(4 + 4 * view.getUint16(2));
        if (length) toTarget.push(setEncodingsWithout(view, length));
        return length;
      }
      case FENCE: {
        if (data.length < 9) return 0;
        const length = need(9 + data[8]!);
        if (length) toTarget.push(data.subarray(0, length));
        return length;
      }
      // Input and actions on the remote machine: parsed so the stream stays aligned, then dropped.
      case KEY:
        return need(8);
      case POINTER:
        return need(6);
      case CUT_TEXT: {
        if (data.length < 8) return 0;
        return need(8 + Math.abs(view.getInt32(4)));
      }
      case XVP:
        return need(4);
      case DESKTOP_SIZE: {
        if (data.length < 8) return 0;
        return need(8 + 16 * data[6]!);
      }
      case QEMU:
        if (data.length >= 2 && data[1] !== 0)
          throw new SessionViolation(`unknown QEMU client message ${data[1]} in a read-only session`);
        return need(12);
      default:
        throw new SessionViolation(`unknown client message type ${data[0]} in a read-only session`);
    }
  }
}

/** SetEncodings without the pseudo-encodings whose messages the read-only filter does not parse. */
function setEncodingsWithout(view: DataView, length: number): Uint8Array {
  const kept: number[] = [];
  for (let offset = 4; offset < length; offset += 4) {
    const encoding = view.getInt32(offset);
    if (!LENGTH_CHANGING_ENCODINGS.has(encoding)) kept.push(encoding);
  }
  const out = new DataView(new ArrayBuffer(4 + 4 * kept.length));
  out.setUint8(0, SET_ENCODINGS);
  out.setUint16(2, kept.length);
  for (const [i, encoding] of kept.entries()) out.setInt32(4 + 4 * i, encoding);
  return new Uint8Array(out.buffer);
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
