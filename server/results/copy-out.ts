import type { ColumnDescription, CopyOutFormat, FormatSettings } from '../../engine/api.js';
import type { Batch } from '../../engine/execution/batch/batch.js';
import { datumAt } from '../../engine/execution/batch/vector.js';
import { formatText } from '../../engine/types/text-codec.js';

const TEXT_CONTROL_ESCAPES: Readonly<Record<string, string>> = {
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
};

/** PostgreSQL's CopyAttributeOutText: backslash-escape \, the delimiter and the control characters b f n r t v. */
export function escapeCopyText(value: string, delimiter: string): string {
  let out = '';
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    const replacement = TEXT_CONTROL_ESCAPES[ch] ?? (ch === '\\' || ch === delimiter ? `\\${ch}` : undefined);
    if (replacement === undefined) continue;
    out += value.slice(start, i) + replacement;
    start = i + 1;
  }
  return start === 0 ? value : out + value.slice(start);
}

/**
 * PostgreSQL's CopyAttributeOutCSV: quote when forced, when the value equals the NULL string,
 * when it is `\.` alone on a line, or when it contains the delimiter, the quote, CR or LF;
 * inside quotes the quote and escape characters are preceded by the escape character.
 */
export function quoteCopyCsv(value: string, format: CopyOutFormat, force: boolean, singleColumn: boolean): string {
  const { delimiter, quote, escape } = format;
  const needsQuote =
    force ||
    value === format.null ||
    (singleColumn && value === '\\.') ||
    value.includes(delimiter) ||
    value.includes(quote) ||
    value.includes('\n') ||
    value.includes('\r');
  if (!needsQuote) return value;
  let out = quote;
  for (const ch of value) out += ch === quote || ch === escape ? escape + ch : ch;
  return out + quote;
}

/** Turns result rows into COPY TO STDOUT lines (each ends with a newline) in text or CSV format. */
export class CopyOutEncoder {
  private readonly forced: readonly boolean[];

  constructor(
    private readonly format: CopyOutFormat,
    private readonly columns: readonly ColumnDescription[],
    private readonly settings: FormatSettings,
  ) {
    const fq = format.forceQuote;
    this.forced = columns.map((_, i) => fq === '*' || fq.includes(i));
  }

  /** The header line: the column names (HEADER option). */
  header(): string {
    return this.line(this.columns.map((c) => c.name), false);
  }

  row(batch: Batch, r: number): string {
    return this.line(
      this.columns.map((c, i) => {
        const datum = datumAt(batch.columns[i]!, r);
        return datum === null ? null : formatText(c.type, datum, this.settings);
      }),
      true,
    );
  }

  private line(values: readonly (string | null)[], applyForceQuote: boolean): string {
    const { format } = this;
    const single = values.length === 1;
    const fields = values.map((v, i) => {
      if (v === null) return format.null;
      if (format.format === 'text') return escapeCopyText(v, format.delimiter);
      return quoteCopyCsv(v, format, applyForceQuote && this.forced[i]!, single);
    });
    return fields.join(format.delimiter) + '\n';
  }
}
