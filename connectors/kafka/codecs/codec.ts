/**
 * Row codecs: how the bytes of a message's key or value map onto columns (Trino's row decoders
 * and encoders). A table description names one per key and per message, with the fields it
 * maps. Construction validates the fields (an invalid description fails with F0000); `decode`
 * and `encode` then work on datums of the fields' PostgreSQL types.
 *
 * Decoding follows Trino: bytes that are not a row of the format at all (malformed JSON, CSV
 * with an open quote, data that is not Avro) make the row "corrupt" (`decode` returns
 * undefined: the fields are NULL and `_key_corrupt` / `_message_corrupt` is true); a field
 * that is absent is NULL; a value that is there but cannot be read as its column's type
 * fails the query with 22P02.
 */
import { SqlError, SqlState } from '../../../engine/errors/index.js';
import { formatType } from '../../../engine/types/pg-type.js';
import type { ValueTarget } from '../types.js';

export type DataFormat = 'raw' | 'csv' | 'json' | 'avro';
export const DATA_FORMATS: readonly DataFormat[] = ['raw', 'csv', 'json', 'avro'];

/** One column a codec maps (a field of the description's `key` or `message`). */
export interface FieldSpec extends ValueTarget {
  readonly mapping?: string;
  readonly dataFormat?: string;
  readonly formatHint?: string;
}

/** A codec as a table handle carries it (plain JSON). */
export interface CodecSpec {
  readonly dataFormat: DataFormat;
  /** Avro: the reader schema's JSON text (read from `dataSchema` when the description was loaded). */
  readonly schema?: string;
  readonly fields: readonly FieldSpec[];
}

export interface RowCodec {
  /** The fields' datums (null for NULL) in `fields` order, or undefined when the bytes are not a row of this format. */
  decode(bytes: Uint8Array): (unknown | null)[] | undefined;
  /**
   * The bytes of a row whose fields hold `values` (datums in `fields` order, null for NULL;
   * undefined for a field the row does not give, which Avro writes as its default and JSON
   * leaves out).
   */
  encode(values: readonly unknown[]): Uint8Array;
}

/** A field definition this codec cannot use (F0000: the description file is at fault). */
export const badField = (field: { readonly name: string }, message: string): SqlError =>
  new SqlError(SqlState.CONFIG_FILE_ERROR, `column "${field.name}": ${message}`);

/** A column type a codec does not read or write. */
export const unsupportedType = (format: string, field: FieldSpec): SqlError =>
  badField(field, `the ${format} format does not support type ${field.tinyint ? 'TINYINT' : formatType(field.type)}`);

/** NULL where a format has no way to write it. */
export const cannotWriteNull = (format: string, field: FieldSpec): SqlError =>
  new SqlError(SqlState.NULL_VALUE_NOT_ALLOWED, `the ${format} format cannot store NULL in column "${field.name}"`);
