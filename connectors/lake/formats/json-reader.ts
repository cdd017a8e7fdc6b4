/** Reads newline-delimited JSON files for the lake connector. */
import { BATCH_ROWS, type Batch } from '../../../engine/execution/batch/batch.js';
import type { Json } from '../../spi/index.js';
import type { FilePart, FileSchema, FormatReader } from './format-reader.js';
import { inferJsonColumns, parseJsonLines } from './json-lines.js';
import { byteRanges, decodeUtf8, readLineRange, readWhole } from './text-ranges.js';
import { vectorFromJson } from './text-vectors.js';

const SAMPLE_BYTES = 1 << 20;

interface Range {
  readonly start: number;
  readonly end: number;
}

export const jsonReader: FormatReader = {
  async schema(store, file): Promise<FileSchema> {
    const source = store.open(file.entry);
    const compressed = file.compression !== 'none';
    const bytes = compressed ? await readWhole(source, file.compression) : await source.read(0, Math.min(SAMPLE_BYTES, source.size));
    let text = decodeUtf8(bytes.subarray(0, Math.min(bytes.length, SAMPLE_BYTES)));
    if (compressed ? bytes.length > SAMPLE_BYTES : source.size > bytes.length) text = text.slice(0, text.lastIndexOf('\n') + 1);
    const sample = parseJsonLines(text, `${store.location}/${file.entry.path}`);
    const sampled = Math.max(1, new TextEncoder().encode(text).length);
    const rowCount = Math.round((sample.length * (compressed ? bytes.length : source.size)) / sampled);
    return { columns: inferJsonColumns(sample), rowCount, splittable: !compressed };
  },

  async parts(_store, file, _schema, _keep, targetBytes): Promise<FilePart[]> {
    const ranges = file.compression === 'none' ? byteRanges(file.entry.size, targetBytes) : [{ start: 0, end: file.entry.size }];
    return ranges.map((r) => ({ part: r satisfies Range as unknown as Json, bytes: r.end - r.start }));
  },

  async *read(store, file, part, _settings, columns, signal): AsyncIterable<Batch> {
    const { start, end } = part as unknown as Range;
    const source = store.open(file.entry);
    const bytes = file.compression !== 'none' ? await readWhole(source, file.compression) : await readLineRange(source, start, end);
    if (signal.aborted) return;
    const location = `${store.location}/${file.entry.path}`;
    const rows = parseJsonLines(decodeUtf8(bytes), location);
    for (let at = 0; at < rows.length; at += BATCH_ROWS) {
      const n = Math.min(BATCH_ROWS, rows.length - at);
      yield {
        length: n,
        columns: columns.map((c) => {
          const values = new Array<unknown>(n);
          for (let i = 0; i < n; i++) values[i] = rows[at + i]![c.name];
          return vectorFromJson(c.type, values, 0, n, { file: location, column: c.name, firstRow: at + 1 });
        }),
      };
    }
  },
};
