/**
 * The CSV format (Trino's csv decoder and encoder): the message is one line of comma-separated
 * values in UTF-8 (RFC 4180 quoting: "a ""b""", one trailing line break ignored); `mapping` is
 * a field's index (0 = first). Types: bigint, integer, smallint, tinyint (Java's
 * Long.parseLong on the trimmed value), double precision and real (Double.parseDouble),
 * boolean ("true" in any case is true, anything else false) and text / varchar(n) (as is).
 * An empty value, or one past the end of the line, is NULL; a line with an unterminated
 * quote makes the row corrupt. Writing quotes a value only when it holds a comma, a quote or
 * a line break, and writes NULL as an empty value.
 */
import { formatFloat } from '../../../engine/types/float-text.js';
import { cannotRead, integerDatum, isInteger, isText, parseJavaDouble, parseJavaLong, textDatum } from '../types.js';
import { badField, unsupportedType, type FieldSpec, type RowCodec } from './codec.js';

const SUPPORTED = new Set(['int2', 'int4', 'int8', 'float4', 'float8', 'bool']);
const utf8 = new TextDecoder();
const utf8Encoder = new TextEncoder();

export class CsvCodec implements RowCodec {
  private readonly indexes: readonly number[];

  constructor(private readonly fields: readonly FieldSpec[]) {
    this.indexes = fields.map((f) => {
      if (!SUPPORTED.has(f.type.name) && !isText(f.type)) throw unsupportedType('csv', f);
      if (f.dataFormat !== undefined || f.formatHint !== undefined) throw badField(f, 'the csv format takes no dataFormat or formatHint');
      if (f.mapping === undefined || !/^\d+$/.test(f.mapping)) throw badField(f, `the csv format needs a mapping that is a field index (0, 1, …), not "${f.mapping ?? ''}"`);
      return Number(f.mapping);
    });
  }

  decode(bytes: Uint8Array): unknown[] | undefined {
    const values = parseCsvLine(utf8.decode(bytes));
    if (values === undefined) return undefined;
    return this.fields.map((f, i) => {
      const raw = values[this.indexes[i]!];
      return raw === undefined || raw === '' ? null : csvDatum(raw, f);
    });
  }

  encode(values: readonly unknown[]): Uint8Array {
    const cells: string[] = new Array<string>(Math.max(0, ...this.indexes.map((i) => i + 1))).fill('');
    this.fields.forEach((f, i) => {
      const v = values[i];
      if (v !== null && v !== undefined) cells[this.indexes[i]!] = quote(csvText(v, f));
    });
    return utf8Encoder.encode(cells.join(','));
  }
}

function csvDatum(raw: string, f: FieldSpec): unknown {
  if (isText(f.type)) return textDatum(raw, f);
  const trimmed = raw.trim();
  if (f.type.name === 'bool') return trimmed.toLowerCase() === 'true';
  if (isInteger(f.type)) {
    const n = parseJavaLong(trimmed);
    if (n === undefined) throw cannotRead(trimmed, f);
    return integerDatum(n, f, trimmed);
  }
  const d = parseJavaDouble(trimmed);
  if (d === undefined) throw cannotRead(trimmed, f);
  return d;
}

function csvText(v: unknown, f: FieldSpec): string {
  switch (f.type.name) {
    case 'bool': return v ? 'true' : 'false';
    case 'float4': return formatFloat(v as number, 1, true);
    case 'float8': return formatFloat(v as number, 1, false);
    default: return String(v);
  }
}

const quote = (s: string): string => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** The values of one CSV line; undefined when a quote is left open or text follows a closing quote. */
export function parseCsvLine(line: string): string[] | undefined {
  const text = line.replace(/\r?\n$/, '');
  const out: string[] = [];
  let i = 0;
  for (;;) {
    if (text[i] === '"') {
      let value = '';
      for (i++; ; i++) {
        if (i >= text.length) return undefined;
        if (text[i] === '"') {
          if (text[i + 1] !== '"') break;
          i++;
        }
        value += text[i];
      }
      i++;
      if (i < text.length && text[i] !== ',') return undefined;
      out.push(value);
    } else {
      const comma = text.indexOf(',', i);
      const end = comma < 0 ? text.length : comma;
      out.push(text.slice(i, end));
      i = end;
    }
    if (i >= text.length) return out;
    i++; // the comma
  }
}
