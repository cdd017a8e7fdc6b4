/**
 * The record-batch compression codecs Kafka uses (the batch attributes' low three bits): gzip,
 * snappy (the Java client's xerial framing, or a bare block), LZ4 (the LZ4 frame format) and
 * zstd. Decompression only: the connector's producer writes uncompressed batches.
 */
import { gunzipSync } from 'node:zlib';
import { decompress as zstdDecompress } from 'fzstd';
import { concatBytes } from '../../lib/bytes.js';
import { lz4Block } from '../../lib/parquet/lz4.js';
import { snappyDecompress } from '../../lib/parquet/snappy.js';
import { kafkaProtocolError } from '../errors.js';

const asBytes = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

/** The records section of a batch compressed with `codec` (1 gzip, 2 snappy, 3 lz4, 4 zstd), uncompressed. */
export function decompressRecords(codec: number, input: Uint8Array): Uint8Array {
  if (codec === 0) return input;
  const name = CODECS[codec];
  if (name === undefined) throw kafkaProtocolError(`record batch with unknown compression codec ${codec}`);
  try {
    switch (codec) {
      case 1: return asBytes(gunzipSync(input));
      case 2: return snappy(input);
      case 3: return lz4Frame(input);
      default: return zstdDecompress(input);
    }
  } catch (e) {
    throw kafkaProtocolError(`cannot decompress a ${name} record batch: ${e instanceof Error ? e.message.replace(/^invalid Parquet file: /, '') : String(e)}`);
  }
}

const CODECS: Readonly<Record<number, string>> = { 1: 'gzip', 2: 'snappy', 3: 'lz4', 4: 'zstd' };

/** xerial's stream header: 0x82 "SNAPPY" 0x00, then a version and a compatible version (int32 each). */
const XERIAL_MAGIC = [0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00];

function snappy(input: Uint8Array): Uint8Array {
  if (!XERIAL_MAGIC.every((b, i) => input[i] === b)) return snappyDecompress(input);
  const view = new DataView(input.buffer, input.byteOffset, input.byteLength);
  const chunks: Uint8Array[] = [];
  // after the magic and the two version words: chunks of [int32 length][snappy block]
  for (let at = 16; at < input.length;) {
    if (at + 4 > input.length) throw kafkaProtocolError('truncated snappy chunk header');
    const length = view.getInt32(at);
    at += 4;
    if (length < 0 || at + length > input.length) throw kafkaProtocolError('truncated snappy chunk');
    chunks.push(snappyDecompress(input.subarray(at, at + length)));
    at += length;
  }
  return concatBytes(chunks);
}

const LZ4_MAGIC = 0x184d2204;
const LZ4_BLOCK_SIZES = [0, 0, 0, 0, 64 << 10, 256 << 10, 1 << 20, 4 << 20];

/** The LZ4 frame format (what Kafka's lz4 codec writes since message format v1). */
function lz4Frame(input: Uint8Array): Uint8Array {
  const view = new DataView(input.buffer, input.byteOffset, input.byteLength);
  if (input.length < 7 || view.getUint32(0, true) !== LZ4_MAGIC) throw kafkaProtocolError('LZ4 data without a frame header');
  const flags = input[4]!;
  const blockSize = LZ4_BLOCK_SIZES[(input[5]! >> 4) & 7]!;
  if (blockSize === 0) throw kafkaProtocolError('LZ4 frame with an invalid block size');
  const blockChecksums = (flags & 0x10) !== 0;
  let at = 6 + ((flags & 0x08) !== 0 ? 8 : 0) + ((flags & 0x01) !== 0 ? 4 : 0) + 1; // content size, dictionary id, header checksum
  const chunks: Uint8Array[] = [];
  for (;;) {
    if (at + 4 > input.length) throw kafkaProtocolError('truncated LZ4 frame');
    const word = view.getUint32(at, true);
    at += 4;
    if (word === 0) break; // end mark (a content checksum may follow)
    const size = word & 0x7fffffff;
    if (at + size > input.length) throw kafkaProtocolError('truncated LZ4 block');
    if ((word & 0x80000000) !== 0) chunks.push(input.slice(at, at + size));
    else {
      const out = new Uint8Array(blockSize);
      chunks.push(out.subarray(0, lz4Block(input, at, at + size, out, 0, blockSize)));
    }
    at += size + (blockChecksums ? 4 : 0);
  }
  return concatBytes(chunks);
}
