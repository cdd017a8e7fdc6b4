import type { FormatSettings } from '../../engine/api.js';
import { SqlError, SqlState } from '../../engine/errors/index.js';
import type { PgType } from '../../engine/types/pg-type.js';
import { parseText } from '../../engine/types/text-codec.js';
import { FormatCode } from '../protocol/codes.js';
import { invalidMessage } from '../protocol/errors.js';
import { decodeUtf8 } from '../protocol/utf8.js';
import { decodeBinary } from '../types/binary-codec.js';

function checkFormat(code: number): number {
  if (code !== FormatCode.Text && code !== FormatCode.Binary) {
    throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `unsupported format code: ${code}`);
  }
  return code;
}

/**
 * Expands Bind's result format codes to one per column: none → all text, one → all that
 * format, otherwise exactly one per column (else 08P01, as PostgreSQL).
 */
export function resultFormats(codes: readonly number[], columnCount: number): number[] {
  if (codes.length > 1 && codes.length !== columnCount) {
    throw invalidMessage(`bind message has ${codes.length} result formats but query has ${columnCount} columns`);
  }
  return Array.from({ length: columnCount }, (_, i) => checkFormat(codes.length === 0 ? FormatCode.Text : (codes[codes.length === 1 ? 0 : i] ?? 0)));
}

/**
 * Decodes Bind parameters into datums (null for NULL) by the statement's parameter types:
 * text with parseText (after UTF-8 validation, 22021), binary with decodeBinary.
 */
export function decodeParameters(
  types: readonly PgType[],
  formats: readonly number[],
  values: readonly (Buffer | null)[],
  settings: FormatSettings,
): unknown[] {
  return values.map((raw, i) => {
    const format = checkFormat(formats.length === 0 ? FormatCode.Text : formats[formats.length === 1 ? 0 : i]!);
    if (raw === null) return null;
    const type = types[i]!;
    return format === FormatCode.Binary ? decodeBinary(type, raw) : parseText(type, decodeUtf8(raw), settings);
  });
}
