/** Reads CSV files for the lake connector: schema inference from a sample, byte-range parts. */
import { BATCH_ROWS, type Batch } from '../../../engine/execution/batch/batch.js';
import type { Json } from '../../spi/index.js';
import type { DataFile, TableSettings } from '../table-layout.js';
import { DEFAULT_CSV, parseCsv, sampleCsv, type CsvOptions } from './csv.js';
import type { FilePart, FileSchema, FormatReader, WantedColumn } from './format-reader.js';
import { TypeGuess } from './infer-types.js';
import { byteRanges, decodeUtf8, readLineRange, readWhole } from './text-ranges.js';
import { vectorFromTexts } from './text-vectors.js';

/** Bytes of a file read to infer its columns. */
const SAMPLE_BYTES = 1 << 20;

interface Range {
  readonly start: number;
  readonly end: number;
}

export function csvOptions(file: DataFile, settings: TableSettings): CsvOptions {
  const tsv = /\.tsv(\.\w+)?$/i.test(file.entry.path);
  const quote = settings.csv?.quote ?? DEFAULT_CSV.quote;
  return { ...DEFAULT_CSV, ...(tsv ? { delimiter: '\t' } : {}), escape: quote, ...settings.csv };
}

export const csvReader: FormatReader = {
  async schema(store, file, settings): Promise<FileSchema> {
    const options = csvOptions(file, settings);
    const source = store.open(file.entry);
    const compressed = file.compression !== 'none';
    const bytes = compressed ? await readWhole(source, file.compression) : await source.read(0, Math.min(SAMPLE_BYTES, source.size));
    const truncated = !compressed && source.size > bytes.length;
    const text = decodeUtf8(bytes.subarray(0, Math.min(bytes.length, SAMPLE_BYTES)));
    const { names, records } = sampleCsv(text, options, `${store.location}/${file.entry.path}`, truncated || bytes.length > SAMPLE_BYTES);
    const columns = names.map((name, c) => {
      const guess = new TypeGuess();
      for (const v of records.fields[c]!) if (v !== null) guess.add(v);
      return { name, type: guess.type };
    });
    const sampled = Math.min(bytes.length, SAMPLE_BYTES);
    const rowCount = records.rows === 0 ? 0 : Math.round((records.rows * (compressed ? bytes.length : source.size)) / sampled);
    return { columns, rowCount, splittable: !compressed && !hasQuotedLineBreak(text, options) };
  },

  async parts(_store, file, schema, _keep, targetBytes): Promise<FilePart[]> {
    const ranges = schema.splittable ? byteRanges(file.entry.size, targetBytes) : [{ start: 0, end: file.entry.size }];
    return ranges.map((r) => ({ part: r satisfies Range as unknown as Json, bytes: r.end - r.start }));
  },

  async *read(store, file, part, settings, columns, signal): AsyncIterable<Batch> {
    const { start, end } = part as unknown as Range;
    const options = csvOptions(file, settings);
    const source = store.open(file.entry);
    const bytes = file.compression !== 'none' ? await readWhole(source, file.compression) : await readLineRange(source, start, end);
    if (signal.aborted) return;
    const location = `${store.location}/${file.entry.path}`;
    const width = columns.reduce((n, c) => Math.max(n, c.position + 1), 0);
    const text = decodeUtf8(bytes);
    const widthInFile = Math.max(width, firstRecordWidth(text, options, location));
    const records = parseCsv(text, options, widthInFile, options.header && start === 0, location);
    yield* batchesOf(records.fields, records.rows, columns, location, start === 0 && options.header ? 2 : 1);
  },
};

function* batchesOf(fields: (string | null)[][], rows: number, columns: readonly WantedColumn[], file: string, firstRow: number): Iterable<Batch> {
  for (let at = 0; at < rows; at += BATCH_ROWS) {
    const n = Math.min(BATCH_ROWS, rows - at);
    yield {
      length: n,
      columns: columns.map((c) => vectorFromTexts(c.type, fields[c.position]!, at, n, { file, column: c.name, firstRow: firstRow + at })),
    };
  }
}

/** Fields in the first record of `text` (so that every field of a record is accounted for). */
function firstRecordWidth(text: string, options: CsvOptions, file: string): number {
  const end = text.indexOf('\n');
  const head = end < 0 ? text : text.slice(0, end + 1);
  try {
    return sampleCsv(head, { ...options, header: false }, file, false).names.length;
  } catch {
    return 0;
  }
}

/** Whether a quoted field in the sample spans a line break (then the file is read whole). */
function hasQuotedLineBreak(text: string, options: CsvOptions): boolean {
  if (!text.includes(options.quote)) return false;
  let inQuotes = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === options.quote) inQuotes = !inQuotes;
    else if (inQuotes && (c === '\n' || c === '\r')) return true;
  }
  return false;
}
