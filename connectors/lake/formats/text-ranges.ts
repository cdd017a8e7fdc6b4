/**
 * Reading line-oriented files (CSV, newline-delimited JSON) by byte range. A range owns the
 * lines that start inside it, so ranges of one file can be read in parallel with every line
 * read exactly once. Compressed files are read whole.
 */
import { promisify } from 'node:util';
import { brotliDecompress, gunzip } from 'node:zlib';
import { concatBytes } from '../../lib/bytes.js';
import type { ByteSource } from '../../lib/storage/file-store.js';

export type TextCompression = 'none' | 'gzip' | 'brotli';

const gunzipAsync = promisify(gunzip);
const brotliAsync = promisify(brotliDecompress);

/** How far past a range's end to look for the end of its last line, per read. */
const TAIL_STEP = 64 * 1024;
const NEWLINE = 0x0a;

export const compressionOfName = (name: string): TextCompression =>
  /\.(gz|gzip)$/i.test(name) ? 'gzip' : /\.br$/i.test(name) ? 'brotli' : 'none';

/** The whole (decompressed) content of a file. */
export async function readWhole(source: ByteSource, compression: TextCompression): Promise<Uint8Array> {
  const raw = source.size === 0 ? new Uint8Array(0) : await source.read(0, source.size);
  if (compression === 'gzip') return new Uint8Array(await gunzipAsync(raw));
  if (compression === 'brotli') return new Uint8Array(await brotliAsync(raw));
  return raw;
}

/**
 * The bytes of the lines that start in [start, end): from the first line start at or after
 * `start` through the newline ending the line that holds byte end - 1.
 */
export async function readLineRange(source: ByteSource, start: number, end: number): Promise<Uint8Array> {
  const from = start === 0 ? 0 : start - 1;
  const chunks: Uint8Array[] = [await source.read(from, Math.min(end, source.size) - from)];
  let pos = Math.min(end, source.size);
  const last = chunks[0]!;
  if (!(last.length > 0 && last[last.length - 1] === NEWLINE)) {
    while (pos < source.size) {
      const chunk = await source.read(pos, Math.min(TAIL_STEP, source.size - pos));
      const nl = chunk.indexOf(NEWLINE);
      if (nl >= 0) {
        chunks.push(chunk.subarray(0, nl + 1));
        break;
      }
      chunks.push(chunk);
      pos += chunk.length;
    }
  }
  const bytes = concatBytes(chunks);
  if (start === 0) return bytes;
  // The first line is owned by the previous range unless byte start - 1 ends a line.
  const nl = bytes.indexOf(NEWLINE);
  return nl < 0 ? new Uint8Array(0) : bytes.subarray(nl + 1);
}

const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: false });

/** UTF-8 bytes as a string (a byte-order mark at the start is dropped). */
export const decodeUtf8 = (bytes: Uint8Array): string => decoder.decode(bytes);

/** Byte ranges of about `target` bytes covering [0, size). */
export function byteRanges(size: number, target: number): { start: number; end: number }[] {
  const n = Math.max(1, Math.ceil(size / target));
  const step = Math.ceil(size / n);
  const out: { start: number; end: number }[] = [];
  for (let start = 0; start < size || out.length === 0; start += step) out.push({ start, end: Math.min(size, start + step) });
  return out;
}
