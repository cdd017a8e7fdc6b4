import type { ColumnDescription, FormatSettings } from '../../engine/api.js';
import type { Batch } from '../../engine/execution/batch/batch.js';
import { datumAt } from '../../engine/execution/batch/vector.js';
import { formatText } from '../../engine/types/text-codec.js';
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

  constructor(
    private readonly columns: readonly ColumnDescription[],
    private readonly formats: readonly number[],
    private readonly settings: FormatSettings,
  ) {
    this.values = new Array<RowValue>(columns.length).fill(null);
  }

  /** Rows [start, start + count) of `batch`, one DataRow each. */
  writeRows(writer: BackendWriter, batch: Batch, start: number, count: number): void {
    const { columns, formats, settings, values } = this;
    for (let r = start; r < start + count; r++) {
      for (let c = 0; c < columns.length; c++) {
        const datum = datumAt(batch.columns[c]!, r);
        const type = columns[c]!.type;
        values[c] = datum === null ? null : formats[c] === FormatCode.Binary ? encodeBinary(type, datum) : formatText(type, datum, settings);
      }
      writer.dataRow(values);
    }
  }
}
