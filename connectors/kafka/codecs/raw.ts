/**
 * The raw format (Trino's raw decoder and encoder): each field is a byte range of the message,
 * `mapping` = "start[:end]", read as `dataFormat` BYTE / SHORT / INT / LONG (signed big-endian
 * integers), FLOAT / DOUBLE (IEEE 754 big-endian), or as UTF-8 text (BYTE, the default).
 *
 * | column type                     | dataFormat                  |
 * |---------------------------------|-----------------------------|
 * | bigint                          | BYTE, SHORT, INT, LONG      |
 * | integer                         | BYTE, SHORT, INT            |
 * | smallint                        | BYTE, SHORT                 |
 * | tinyint                         | BYTE                        |
 * | boolean                         | BYTE, SHORT, INT, LONG (≠ 0) |
 * | double precision                | FLOAT, DOUBLE               |
 * | real                            | FLOAT                       |
 * | text, varchar(n)                | BYTE (the range's bytes)    |
 *
 * A fixed-width field without an end takes its width; text without an end runs to the end of
 * the message. An empty range is NULL; a message too short for a range fails with 22P02.
 * Writing needs every field's range (text: start and end), and text must fill its range.
 */
import { SqlError, SqlState } from '../../../engine/errors/index.js';
import { cannotRead, integerDatum, isInteger, isText, textDatum } from '../types.js';
import { badField, cannotWriteNull, unsupportedType, type FieldSpec, type RowCodec } from './codec.js';

type Width = 'BYTE' | 'SHORT' | 'INT' | 'LONG' | 'FLOAT' | 'DOUBLE';
const SIZES: Record<Width, number> = { BYTE: 1, SHORT: 2, INT: 4, LONG: 8, FLOAT: 4, DOUBLE: 8 };

/** The dataFormats each column type may use. */
function allowedWidths(field: FieldSpec): readonly Width[] | undefined {
  if (field.tinyint) return ['BYTE'];
  switch (field.type.name) {
    case 'int8': return ['BYTE', 'SHORT', 'INT', 'LONG'];
    case 'int4': return ['BYTE', 'SHORT', 'INT'];
    case 'int2': return ['BYTE', 'SHORT'];
    case 'bool': return ['BYTE', 'SHORT', 'INT', 'LONG'];
    case 'float8': return ['FLOAT', 'DOUBLE'];
    case 'float4': return ['FLOAT'];
    default: return isText(field.type) ? ['BYTE'] : undefined;
  }
}

interface RawField {
  readonly spec: FieldSpec;
  readonly width: Width;
  readonly start: number;
  /** Exclusive; undefined: to the end of the message (text only). */
  readonly end: number | undefined;
  readonly text: boolean;
}

const utf8 = new TextDecoder();
const utf8Encoder = new TextEncoder();

export class RawCodec implements RowCodec {
  private readonly fields: readonly RawField[];

  constructor(fields: readonly FieldSpec[]) {
    this.fields = fields.map((spec) => {
      const allowed = allowedWidths(spec);
      if (!allowed) throw unsupportedType('raw', spec);
      if (spec.formatHint !== undefined) throw badField(spec, 'the raw format takes no formatHint');
      const width = (spec.dataFormat ?? 'BYTE').toUpperCase() as Width;
      if (!(width in SIZES)) throw badField(spec, `invalid raw dataFormat "${spec.dataFormat}" (BYTE, SHORT, INT, LONG, FLOAT or DOUBLE)`);
      if (!allowed.includes(width)) throw badField(spec, `dataFormat ${width} does not suit its type; use ${allowed.join(' or ')}`);
      const m = /^(\d+)(?::(\d+))?$/.exec(spec.mapping ?? '0');
      if (!m) throw badField(spec, `invalid raw mapping "${spec.mapping}" (start or start:end, byte offsets)`);
      const text = isText(spec.type);
      const start = Number(m[1]);
      const end = m[2] !== undefined ? Number(m[2]) : text ? undefined : start + SIZES[width];
      if (end !== undefined && end < start) throw badField(spec, `mapping "${spec.mapping}" ends before it starts`);
      if (!text && end! - start !== SIZES[width]) throw badField(spec, `mapping "${spec.mapping}" covers ${end! - start} bytes but ${width} takes ${SIZES[width]}`);
      return { spec, width, start, end, text };
    });
  }

  decode(bytes: Uint8Array): unknown[] {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return this.fields.map((f) => {
      const end = f.end ?? bytes.length;
      if (f.start > bytes.length || end > bytes.length) throw cannotRead(`<${bytes.length} bytes>`, f.spec, `the message is shorter than the field's bytes ${f.start}..${end}`);
      if (end === f.start) return null;
      if (f.text) return textDatum(utf8.decode(bytes.subarray(f.start, end)), f.spec);
      const n = readNumber(view, f.start, f.width);
      if (f.spec.type.name === 'bool') return n !== 0 && n !== 0n;
      if (typeof n === 'number' && !isInteger(f.spec.type)) return n;
      return integerDatum(BigInt(n), f.spec, String(n));
    });
  }

  encode(values: readonly unknown[]): Uint8Array {
    let size = 0;
    for (const f of this.fields) {
      if (f.end === undefined) throw badField(f.spec, 'writing text in the raw format needs a mapping with an end (start:end)');
      size = Math.max(size, f.end);
    }
    const out = new Uint8Array(size);
    const view = new DataView(out.buffer);
    this.fields.forEach((f, i) => {
      const v = values[i];
      if (v === null || v === undefined) throw cannotWriteNull('raw', f.spec);
      if (f.text) {
        const bytes = utf8Encoder.encode(v as string);
        if (bytes.length !== f.end! - f.start) {
          throw new SqlError(SqlState.STRING_DATA_LENGTH_MISMATCH, `value for column "${f.spec.name}" is ${bytes.length} bytes long; its raw field holds exactly ${f.end! - f.start}`);
        }
        out.set(bytes, f.start);
        return;
      }
      const n = f.spec.type.name === 'bool' ? (v ? 1 : 0) : (v as number | bigint);
      writeNumber(view, f.start, f.width, n, f.spec);
    });
    return out;
  }
}

function readNumber(view: DataView, at: number, width: Width): number | bigint {
  switch (width) {
    case 'BYTE': return view.getInt8(at);
    case 'SHORT': return view.getInt16(at);
    case 'INT': return view.getInt32(at);
    case 'LONG': return view.getBigInt64(at);
    case 'FLOAT': return view.getFloat32(at);
    case 'DOUBLE': return view.getFloat64(at);
  }
}

const LIMITS: Record<'BYTE' | 'SHORT' | 'INT', readonly [number, number]> = { BYTE: [-128, 127], SHORT: [-32768, 32767], INT: [-2147483648, 2147483647] };

function writeNumber(view: DataView, at: number, width: Width, v: number | bigint, field: FieldSpec): void {
  if (width === 'FLOAT') return view.setFloat32(at, Number(v));
  if (width === 'DOUBLE') return view.setFloat64(at, Number(v));
  if (width === 'LONG') return view.setBigInt64(at, BigInt(v));
  const n = Number(v);
  const [lo, hi] = LIMITS[width];
  if (n < lo || n > hi) throw new SqlError(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, `value ${n} of column "${field.name}" does not fit its raw ${width} field`);
  if (width === 'BYTE') view.setInt8(at, n);
  else if (width === 'SHORT') view.setInt16(at, n);
  else view.setInt32(at, n);
}
