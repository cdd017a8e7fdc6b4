/**
 * PostgreSQL's binary send/recv formats for every type in engine/types/pg-type.ts, used for
 * binary-format parameters and result columns. All integers are big-endian; dates and
 * timestamps count from 2000-01-01 on the wire (the engine's datums count from 1970).
 */
import { SqlError, SqlState } from '../../engine/errors/index.js';
import { DATE_NEG_INFINITY, DATE_POS_INFINITY } from '../../engine/types/datetime.js';
import type { Interval } from '../../engine/types/interval.js';
import { normalizeJsonb } from '../../engine/types/jsonb.js';
import { Numeric, pow10 } from '../../engine/types/numeric.js';
import type { PgType } from '../../engine/types/pg-type.js';

/** Days and µs between 1970-01-01 and PostgreSQL's epoch 2000-01-01. */
const EPOCH_DAYS = 10957;
const EPOCH_USECS = 946_684_800_000_000n;
const INT64_MAX = 0x7fffffffffffffffn;
const INT64_MIN = -0x8000000000000000n;
const INT32_MAX = 2147483647;
const INT32_MIN = -2147483648;

const NUMERIC_POS = 0x0000;
const NUMERIC_NEG = 0x4000;
const NUMERIC_NAN = 0xc000;
const NUMERIC_PINF = 0xd000;
const NUMERIC_NINF = 0xf000;

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

const badFormat = (message = 'incorrect binary data format') => new SqlError(SqlState.INVALID_BINARY_REPRESENTATION, message);

function fixed(size: number, write: (v: DataView) => void): Uint8Array {
  const out = new Uint8Array(size);
  write(new DataView(out.buffer));
  return out;
}

// ---- encode ----------------------------------------------------------------------------------

/** typsend: the binary wire form of a (non-NULL) datum. */
export function encodeBinary(type: PgType, datum: unknown): Uint8Array {
  if (type.elem) return encodeArray(type.elem, datum as readonly unknown[]);
  switch (type.name) {
    case 'bool': return Uint8Array.of(datum ? 1 : 0);
    case 'int2': return fixed(2, (v) => v.setInt16(0, datum as number));
    case 'int4': return fixed(4, (v) => v.setInt32(0, datum as number));
    case 'int8': return fixed(8, (v) => v.setBigInt64(0, BigInt(datum as bigint)));
    case 'oid': case 'xid': case 'regclass': case 'regtype': case 'regproc':
      return fixed(4, (v) => v.setUint32(0, datum as number));
    case 'float4': return fixed(4, (v) => v.setFloat32(0, datum as number));
    case 'float8': return fixed(8, (v) => v.setFloat64(0, datum as number));
    case 'numeric': return encodeNumeric(datum as Numeric);
    case 'bytea': return datum as Uint8Array;
    case 'date': return fixed(4, (v) => v.setInt32(0, encodeDate(datum as number)));
    case 'time': return fixed(8, (v) => v.setBigInt64(0, datum as bigint));
    case 'timestamp': case 'timestamptz': return fixed(8, (v) => v.setBigInt64(0, encodeTimestamp(datum as bigint)));
    case 'interval': {
      const iv = datum as Interval;
      return fixed(16, (v) => {
        v.setBigInt64(0, iv.micros);
        v.setInt32(8, iv.days);
        v.setInt32(12, iv.months);
      });
    }
    case 'uuid': return Uint8Array.from((datum as string).replace(/-/g, '').match(/../g)!.map((h) => Number.parseInt(h, 16)));
    case 'jsonb': {
      const text = utf8Encoder.encode(datum as string);
      const out = new Uint8Array(text.length + 1);
      out[0] = 1;
      out.set(text, 1);
      return out;
    }
    default: return utf8Encoder.encode(datum as string);
  }
}

const encodeDate = (d: number): number =>
  d === DATE_POS_INFINITY ? INT32_MAX : d === DATE_NEG_INFINITY ? INT32_MIN : d - EPOCH_DAYS;

const encodeTimestamp = (ts: bigint): bigint => (ts === INT64_MAX || ts === INT64_MIN ? ts : ts - EPOCH_USECS);

/** numeric_send: ndigits, weight, sign, dscale, then base-10000 digits. */
function encodeNumeric(n: Numeric): Uint8Array {
  if (!n.isFinite()) {
    const sign = n.isNaN() ? NUMERIC_NAN : n.sign() > 0 ? NUMERIC_PINF : NUMERIC_NINF;
    // PostgreSQL sends the display-scale bits of the special value's header: 32 for ±Infinity.
    return numericHeader(0, 0, sign, n.isNaN() ? 0 : 32, []);
  }
  const neg = n.unscaled < 0n;
  const fracGroups = Math.ceil(n.scale / 4);
  let mag = (neg ? -n.unscaled : n.unscaled) * pow10(fracGroups * 4 - n.scale);
  const groups: number[] = [];
  while (mag > 0n) {
    groups.unshift(Number(mag % 10000n));
    mag /= 10000n;
  }
  let weight = groups.length - fracGroups - 1;
  while (groups.length && groups[0] === 0) {
    groups.shift();
    weight--;
  }
  while (groups.length && groups[groups.length - 1] === 0) groups.pop();
  if (groups.length === 0) weight = 0;
  return numericHeader(groups.length, weight, neg && groups.length ? NUMERIC_NEG : NUMERIC_POS, n.scale, groups);
}

function numericHeader(ndigits: number, weight: number, sign: number, dscale: number, digits: number[]): Uint8Array {
  return fixed(8 + 2 * ndigits, (v) => {
    v.setInt16(0, ndigits);
    v.setInt16(2, weight);
    v.setUint16(4, sign);
    v.setInt16(6, dscale);
    digits.forEach((d, i) => v.setInt16(8 + 2 * i, d));
  });
}

function encodeArray(elem: PgType, items: readonly unknown[]): Uint8Array {
  const encoded = items.map((x) => (x === null || x === undefined ? null : encodeBinary(elem, x)));
  const hasNull = encoded.some((e) => e === null);
  const header = items.length === 0 ? 12 : 20;
  const size = header + encoded.reduce((s, e) => s + 4 + (e ? e.length : 0), 0);
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  v.setInt32(0, items.length === 0 ? 0 : 1);
  v.setInt32(4, hasNull ? 1 : 0);
  v.setUint32(8, elem.oid);
  let pos = 12;
  if (items.length) {
    v.setInt32(12, items.length);
    v.setInt32(16, 1);
    pos = 20;
  }
  for (const e of encoded) {
    v.setInt32(pos, e ? e.length : -1);
    pos += 4;
    if (e) {
      out.set(e, pos);
      pos += e.length;
    }
  }
  return out;
}

// ---- decode ----------------------------------------------------------------------------------

const view = (b: Uint8Array): DataView => new DataView(b.buffer, b.byteOffset, b.byteLength);

function exact(bytes: Uint8Array, size: number): DataView {
  if (bytes.length !== size) throw badFormat();
  return view(bytes);
}

function decodeText(bytes: Uint8Array): string {
  try {
    return utf8Decoder.decode(bytes);
  } catch {
    const bad = [...bytes.slice(0, 2)].map((b) => b.toString(16).padStart(2, '0')).join(' 0x');
    throw new SqlError(SqlState.CHARACTER_NOT_IN_REPERTOIRE, `invalid byte sequence for encoding "UTF8": 0x${bad}`);
  }
}

/** typreceive: the datum a binary wire value stands for; malformed input is 22P03. */
export function decodeBinary(type: PgType, bytes: Uint8Array): unknown {
  if (type.elem) return decodeArray(type.elem, bytes);
  switch (type.name) {
    case 'bool': {
      const v = exact(bytes, 1).getUint8(0);
      return v !== 0;
    }
    case 'int2': return exact(bytes, 2).getInt16(0);
    case 'int4': return exact(bytes, 4).getInt32(0);
    case 'int8': return exact(bytes, 8).getBigInt64(0);
    case 'oid': case 'xid': case 'regclass': case 'regtype': case 'regproc':
      return exact(bytes, 4).getUint32(0);
    case 'float4': return exact(bytes, 4).getFloat32(0);
    case 'float8': return exact(bytes, 8).getFloat64(0);
    case 'numeric': return decodeNumeric(bytes);
    case 'bytea': return Uint8Array.from(bytes);
    case 'date': return decodeDate(exact(bytes, 4).getInt32(0));
    case 'time': {
      const t = exact(bytes, 8).getBigInt64(0);
      if (t < 0n || t > 86_400_000_000n) throw new SqlError(SqlState.DATETIME_VALUE_OUT_OF_RANGE, 'time out of range');
      return t;
    }
    case 'timestamp': case 'timestamptz': return decodeTimestamp(exact(bytes, 8).getBigInt64(0));
    case 'interval': {
      const v = exact(bytes, 16);
      return { micros: v.getBigInt64(0), days: v.getInt32(8), months: v.getInt32(12) } satisfies Interval;
    }
    case 'uuid': {
      exact(bytes, 16);
      const h = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
    }
    case 'jsonb': {
      if (bytes.length < 1) throw badFormat();
      if (bytes[0] !== 1) throw badFormat(`unsupported jsonb version number ${bytes[0]}`);
      return normalizeJsonb(decodeText(bytes.subarray(1)));
    }
    case 'char': {
      if (bytes.length !== 1) throw badFormat();
      return String.fromCharCode(bytes[0]!);
    }
    default: return decodeText(bytes);
  }
}

function decodeDate(d: number): number {
  if (d === INT32_MAX) return DATE_POS_INFINITY;
  if (d === INT32_MIN) return DATE_NEG_INFINITY;
  return d + EPOCH_DAYS;
}

function decodeTimestamp(t: bigint): bigint {
  if (t === INT64_MAX || t === INT64_MIN) return t;
  const ts = t + EPOCH_USECS;
  if (ts >= INT64_MAX) throw new SqlError(SqlState.DATETIME_VALUE_OUT_OF_RANGE, 'timestamp out of range');
  return ts;
}

/** numeric_recv: digits beyond dscale are truncated away, as PostgreSQL does. */
function decodeNumeric(bytes: Uint8Array): Numeric {
  if (bytes.length < 8) throw badFormat();
  const v = view(bytes);
  const ndigits = v.getInt16(0);
  const weight = v.getInt16(2);
  const sign = v.getUint16(4);
  const dscale = v.getInt16(6);
  if (ndigits < 0 || bytes.length !== 8 + 2 * ndigits) throw badFormat();
  if (sign === NUMERIC_NAN) return Numeric.NaN;
  if (sign === NUMERIC_PINF) return Numeric.POSITIVE_INFINITY;
  if (sign === NUMERIC_NINF) return Numeric.NEGATIVE_INFINITY;
  if (sign !== NUMERIC_POS && sign !== NUMERIC_NEG) throw badFormat('invalid sign in external "numeric" value');
  if (dscale < 0 || dscale > 0x3fff) throw badFormat('invalid scale in external "numeric" value');
  let mag = 0n;
  for (let i = 0; i < ndigits; i++) {
    const d = v.getInt16(8 + 2 * i);
    if (d < 0 || d >= 10000) throw badFormat('invalid digit in external "numeric" value');
    mag = mag * 10000n + BigInt(d);
  }
  // mag × 10000^(weight - ndigits + 1), expressed at scale dscale (truncating extra digits).
  const exp10 = 4 * (weight - ndigits + 1) + dscale;
  const unscaled = exp10 >= 0 ? mag * pow10(exp10) : mag / pow10(-exp10);
  return Numeric.fromBigInt(sign === NUMERIC_NEG ? -unscaled : unscaled, dscale);
}

function decodeArray(elem: PgType, bytes: Uint8Array): unknown[] {
  if (bytes.length < 12) throw badFormat();
  const v = view(bytes);
  const ndim = v.getInt32(0);
  const flags = v.getInt32(4);
  const elemOid = v.getUint32(8);
  if (ndim < 0 || ndim > 6) throw badFormat(`invalid number of dimensions: ${ndim}`);
  if (flags !== 0 && flags !== 1) throw badFormat('invalid array flags');
  if (elemOid !== elem.oid) {
    throw new SqlError(SqlState.DATATYPE_MISMATCH, `binary data has array element type ${elemOid} instead of expected ${elem.oid}`);
  }
  if (ndim === 0) {
    if (bytes.length !== 12) throw badFormat();
    return [];
  }
  if (ndim > 1) throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, 'multidimensional arrays are not supported');
  if (bytes.length < 20) throw badFormat();
  const count = v.getInt32(12);
  if (count < 0) throw badFormat();
  const items: unknown[] = [];
  let pos = 20;
  for (let i = 0; i < count; i++) {
    if (pos + 4 > bytes.length) throw badFormat();
    const len = v.getInt32(pos);
    pos += 4;
    if (len === -1) {
      items.push(null);
      continue;
    }
    if (len < 0 || pos + len > bytes.length) throw badFormat();
    items.push(decodeBinary(elem, bytes.subarray(pos, pos + len)));
    pos += len;
  }
  if (pos !== bytes.length) throw badFormat();
  return items;
}
