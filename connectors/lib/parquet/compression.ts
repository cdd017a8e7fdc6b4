/** Page decompression for every Parquet codec but LZO. */
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { decompress as zstdDecompress } from 'fzstd';
import { corrupt, unsupported } from './errors.js';
import { Codec, codecName } from './format.js';
import { lz4HadoopDecompress, lz4RawDecompress } from './lz4.js';
import { snappyDecompress } from './snappy.js';

const asBytes = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

/** The uncompressed bytes of one page body. */
export function decompress(codec: number, input: Uint8Array, uncompressedSize: number): Uint8Array {
  let out: Uint8Array;
  switch (codec) {
    case Codec.UNCOMPRESSED: return input;
    case Codec.SNAPPY: return snappyDecompress(input, new Uint8Array(uncompressedSize));
    case Codec.GZIP: out = asBytes(gunzipSync(input)); break;
    case Codec.BROTLI: out = asBytes(brotliDecompressSync(input)); break;
    // fzstd sizes its own output: measured several times faster than decoding into a given buffer
    case Codec.ZSTD: out = zstdDecompress(input); break;
    case Codec.LZ4_RAW: return lz4RawDecompress(input, uncompressedSize);
    case Codec.LZ4: return lz4HadoopDecompress(input, uncompressedSize);
    default: throw unsupported(`compression codec ${codecName(codec)}`);
  }
  if (out.length !== uncompressedSize) throw corrupt(`${codecName(codec)} page decompressed to ${out.length} bytes, expected ${uncompressedSize}`);
  return out;
}
