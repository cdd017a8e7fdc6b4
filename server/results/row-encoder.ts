import type { ColumnDescription, FormatSettings } from '../../engine/api.js';
import type { Batch } from '../../engine/execution/batch/batch.js';
import { textFormatter } from '../../engine/types/text-codec.js';
import { FormatCode } from '../protocol/codes.js';
import type { BackendWriter, FieldDescription, RowValue } from '../protocol/backend.js';
import { encodeBinary } from '../types/binary-codec.js';

/** RowDescription fields for result columns sent in the given per-column formats. */
export function fieldDescriptions(columns: readonly ColumnDescription[], formats: readonly number[]): FieldDescription[] {
  return columns.map((c, i) => ({
    name: c.name,
    tableOid: c.tableOid,
    columnNumber: c.columnNumber,
    typeOid: c.type.oid,
    typeSize: c.type.len,
    typeModifier: c.type.typmod,
    format: formats[i] ?? FormatCode.Text,
  }));
}

/** Writes result rows as DataRow messages, each column in its own format (text or binary). */
export class RowEncoder {
  private readonly values: RowValue[];
  /** Per column: datum → wire value, chosen once for the column's type and format. */
  private readonly encoders: ((datum: unknown) => RowValue)[];

  constructor(columns: readonly ColumnDescription[], formats: readonly number[], settings: FormatSettings) {
    this.values = new Array<RowValue>(columns.length).fill(null);
    this.encoders = columns.map((c, i) => (formats[i] === FormatCode.Binary ? (d: unknown) => encodeBinary(c.type, d) : textFormatter(c.type, settings)));
  }

  /** Rows [start, start + count) of `batch`, one DataRow each. */
  writeRows(writer: BackendWriter, batch: Batch, start: number, count: number): void {
    const { encoders, values } = this;
    const vectors = batch.columns;
    for (let r = start; r < start + count; r++) {
      for (let c = 0; c < encoders.length; c++) {
        const v = vectors[c]!;
        values[c] = v.nulls !== null && v.nulls[r] === 1 ? null : encoders[c]!((v.data as unknown[])[r]);
      }
      writer.dataRow(values);
    }
  }
}
