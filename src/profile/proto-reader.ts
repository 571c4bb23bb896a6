// A minimal protobuf wire reader for profile.proto. Every read is bounds-checked and turns a
// short buffer into a 'truncated' error, so no input can make it loop, hang or read past the end.

import { LivepprofError } from '../errors.js';

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_BYTES = 2;
export const WIRE_FIXED32 = 5;

export class ProtoReader {
  pos: number;

  end: number;

  constructor(
    readonly buf: Uint8Array,
    start = 0,
    end = buf.length,
  ) {
    this.pos = start;
    this.end = end;
  }

  /** Points the reader at another range of the same buffer (avoids an allocation per message). */
  reset(start: number, end: number): void {
    this.pos = start;
    this.end = end;
  }

  done(): boolean {
    return this.pos >= this.end;
  }

  private truncated(what: string): LivepprofError {
    return new LivepprofError('truncated', `profile is truncated: cut off inside ${what} at byte ${this.pos} of ${this.end}`);
  }

  /** An unsigned varint as a number; exact below 2^53 (ids, lengths, tags, indices). */
  uint(): number {
    const b = this.buf;
    let pos = this.pos;
    if (pos < this.end) {
      const c = b[pos]!;
      if (c < 0x80) {
        this.pos = pos + 1;
        return c;
      }
    }
    let value = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (pos >= this.end) throw this.truncated('a number');
      const c = b[pos++]!;
      value += (c & 0x7f) * mul;
      if (c < 0x80) {
        this.pos = pos;
        return value;
      }
      mul *= 128;
    }
    throw new LivepprofError('not-profile', `not a pprof profile: a number longer than 10 bytes at byte ${this.pos}`);
  }

  /** An int64 varint (two's complement, not zigzag): negative values are 10-byte varints. */
  int64(): number {
    const b = this.buf;
    const start = this.pos;
    if (start < this.end && b[start]! < 0x80) {
      this.pos = start + 1;
      return b[start]!;
    }
    let lo = 0;
    let hi = 0;
    let pos = start;
    let i = 0;
    for (; i < 10; i++) {
      if (pos >= this.end) throw this.truncated('a number');
      const c = b[pos++]!;
      const bits = c & 0x7f;
      const shift = i * 7;
      if (shift < 28) lo |= bits << shift;
      else if (shift === 28) {
        lo |= (bits & 0x0f) << 28;
        hi |= bits >>> 4;
      } else hi |= bits << (shift - 32);
      if (c < 0x80) break;
    }
    if (i === 10) throw new LivepprofError('not-profile', `not a pprof profile: a number longer than 10 bytes at byte ${start}`);
    this.pos = pos;
    lo >>>= 0;
    hi >>>= 0;
    if (hi & 0x80000000) {
      // Negative: -(~value + 1), computed on the two 32-bit halves.
      const nlo = (~lo >>> 0) + 1;
      const nhi = (~hi >>> 0) + (nlo > 0xffffffff ? 1 : 0);
      return -((nhi >>> 0) * 4294967296 + (nlo >>> 0));
    }
    return hi * 4294967296 + lo;
  }

  /** A uint64 varint as a bigint (addresses, mapping bounds). */
  uint64(): bigint {
    const b = this.buf;
    let value = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw this.truncated('a number');
      const c = b[this.pos++]!;
      value |= BigInt(c & 0x7f) << shift;
      if (c < 0x80) return BigInt.asUintN(64, value);
      shift += 7n;
    }
    throw new LivepprofError('not-profile', `not a pprof profile: a number longer than 10 bytes at byte ${this.pos}`);
  }

  /** Reads a length prefix and returns the [start, end) of the bytes it covers, moving past them. */
  bytes(): [number, number] {
    const len = this.uint();
    const start = this.pos;
    if (len > this.end - start) {
      throw new LivepprofError(
        'truncated',
        `profile is truncated: a field needs ${len} bytes at byte ${start} but only ${this.end - start} remain`,
      );
    }
    this.pos = start + len;
    return [start, start + len];
  }

  /** Skips a field of the given wire type. */
  skip(wire: number): void {
    switch (wire) {
      case WIRE_VARINT:
        this.uint();
        return;
      case WIRE_FIXED64:
        this.advance(8);
        return;
      case WIRE_BYTES:
        this.bytes();
        return;
      case WIRE_FIXED32:
        this.advance(4);
        return;
      default:
        throw new LivepprofError('not-profile', `not a pprof profile: invalid protobuf wire type ${wire} at byte ${this.pos}`);
    }
  }

  private advance(n: number): void {
    if (this.end - this.pos < n) throw this.truncated('a fixed-width field');
    this.pos += n;
  }
}

const decoder = new TextDecoder('utf-8', { fatal: false });

/** Decodes UTF-8 bytes; plain ASCII (nearly every symbol and path) takes a faster path. */
export function decodeString(buf: Uint8Array, start: number, end: number): string {
  const n = end - start;
  if (n === 0) return '';
  if (n <= 64) {
    let ascii = true;
    for (let i = start; i < end; i++) {
      if (buf[i]! >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) return String.fromCharCode.apply(null, buf.subarray(start, end) as unknown as number[]);
  }
  return decoder.decode(buf.subarray(start, end));
}
