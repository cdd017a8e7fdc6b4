import { isUtf8 } from 'node:buffer';
import { SqlError, SqlState } from '../../engine/errors/index.js';

/** Byte length PostgreSQL's pg_utf_mblen assigns to a lead byte. */
function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if ((lead & 0xe0) === 0xc0) return 2;
  if ((lead & 0xf0) === 0xe0) return 3;
  if ((lead & 0xf8) === 0xf0) return 4;
  return 1;
}

/** Whether bytes[i..i+n) is one legal UTF-8 character (PostgreSQL's pg_utf8_islegal). */
function legalSequence(bytes: Uint8Array, i: number, n: number): boolean {
  const a = bytes[i]!;
  const cont = (k: number) => (bytes[i + k]! & 0xc0) === 0x80;
  switch (n) {
    case 1:
      return a !== 0 && a < 0x80;
    case 2:
      return a >= 0xc2 && cont(1);
    case 3: {
      const b = bytes[i + 1]!;
      if (!cont(1) || !cont(2)) return false;
      if (a === 0xe0) return b >= 0xa0;
      if (a === 0xed) return b < 0xa0;
      return true;
    }
    case 4: {
      const b = bytes[i + 1]!;
      if (!cont(1) || !cont(2) || !cont(3) || a > 0xf4) return false;
      if (a === 0xf0) return b >= 0x90;
      if (a === 0xf4) return b < 0x90;
      return true;
    }
    default:
      return false;
  }
}

/** PostgreSQL's report_invalid_encoding for the first bad sequence, or null when `bytes` is valid. */
function invalidSequenceAt(bytes: Uint8Array): SqlError | null {
  for (let i = 0; i < bytes.length; ) {
    const n = sequenceLength(bytes[i]!);
    if (i + n <= bytes.length && legalSequence(bytes, i, n)) {
      i += n;
      continue;
    }
    const shown = Array.from(bytes.subarray(i, Math.min(i + n, bytes.length)), (b) => `0x${b.toString(16).padStart(2, '0')}`);
    return new SqlError(SqlState.CHARACTER_NOT_IN_REPERTOIRE, `invalid byte sequence for encoding "UTF8": ${shown.join(' ')}`);
  }
  return null;
}

/**
 * Decodes client text as UTF-8 (client_encoding is always UTF8), rejecting invalid sequences
 * and NUL bytes as PostgreSQL does: ERROR 22021 naming the offending bytes.
 */
export function decodeUtf8(bytes: Buffer): string {
  if (isUtf8(bytes) && !bytes.includes(0)) return bytes.toString('utf8');
  throw invalidSequenceAt(bytes) ?? new SqlError(SqlState.CHARACTER_NOT_IN_REPERTOIRE, 'invalid byte sequence for encoding "UTF8"');
}
