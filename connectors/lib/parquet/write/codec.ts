/**
 * Page compression. SNAPPY is this module's own compressor (snappy.ts), GZIP is node:zlib.
 * ZSTD uses node:zlib's zstd when the running Node.js has it (22.15 and later); Node 20 has
 * none and there is no pure-JS encoder worth its cost, so there it is rejected with 0A000.
 */
import * as zlib from 'node:zlib';
import { SqlError, SqlState } from '../../../../engine/errors/index.js';
import { ByteBuilder } from './bytes.js';
import { Codec } from './format.js';
import { snappyCompressInto } from './snappy.js';

export type CompressionName = 'snappy' | 'gzip' | 'zstd' | 'none';

export interface PageCompressor {
  readonly codec: Codec;
  /** The compressed form of `page` as a fresh array (the caller may reuse `page`'s memory). */
  compress(page: Uint8Array): Uint8Array;
}

type ZstdCompressSync = (buf: Uint8Array, options?: object) => Buffer;

export function pageCompressor(name: CompressionName | undefined): PageCompressor {
  switch (name ?? 'snappy') {
    case 'none':
      return { codec: Codec.UNCOMPRESSED, compress: (page) => Uint8Array.prototype.slice.call(page) };
    case 'snappy': {
      const scratch = new ByteBuilder(1 << 20);
      return {
        codec: Codec.SNAPPY,
        compress(page) {
          snappyCompressInto(scratch, page);
          return scratch.toBytes();
        },
      };
    }
    case 'gzip':
      return { codec: Codec.GZIP, compress: (page) => zlib.gzipSync(page) };
    case 'zstd': {
      const zstd = (zlib as unknown as { zstdCompressSync?: ZstdCompressSync }).zstdCompressSync;
      if (typeof zstd !== 'function') {
        throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, 'Parquet compression "zstd" is not supported by this Node.js version', {
          hint: 'Use compression snappy (the default), gzip or none; zstd needs Node.js 22.15 or later.',
        });
      }
      return { codec: Codec.ZSTD, compress: (page) => zstd(page) };
    }
    default:
      throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `unknown Parquet compression "${String(name)}"`, {
        hint: 'Use snappy, gzip, zstd or none.',
      });
  }
}
