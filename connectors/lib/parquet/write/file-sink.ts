/** A ByteSink over a local file: small chunks are gathered into 1 MiB writes. */
import { open, rm, type FileHandle } from 'node:fs/promises';
import { SqlError, SqlState } from '../../../../engine/errors/index.js';
import type { ByteSink } from './writer.js';

const BUFFER_BYTES = 1 << 20;

export interface FileSink extends ByteSink {
  readonly path: string;
  /** Flushes and closes the file. */
  close(): Promise<void>;
  /** Closes and deletes the file (after a failed write). */
  discard(): Promise<void>;
}

const ioError = (path: string, err: unknown): SqlError =>
  new SqlError(SqlState.IO_ERROR, `could not write file "${path}": ${err instanceof Error ? err.message : String(err)}`, { cause: err });

/** Creates (or truncates) `path` for writing. */
export async function openFileSink(path: string): Promise<FileSink> {
  let handle: FileHandle | null;
  try {
    handle = await open(path, 'w');
  } catch (err) {
    throw ioError(path, err);
  }
  const buffer = Buffer.allocUnsafe(BUFFER_BYTES);
  let used = 0;

  const writeAll = async (bytes: Uint8Array): Promise<void> => {
    if (handle === null) throw ioError(path, new Error('file is closed'));
    try {
      let done = 0;
      while (done < bytes.length) {
        const { bytesWritten } = await handle.write(bytes, done, bytes.length - done);
        done += bytesWritten;
      }
    } catch (err) {
      throw ioError(path, err);
    }
  };
  const flush = async (): Promise<void> => {
    if (used === 0) return;
    const n = used;
    used = 0;
    await writeAll(buffer.subarray(0, n));
  };

  return {
    path,
    async write(chunk: Uint8Array): Promise<void> {
      if (used + chunk.length > BUFFER_BYTES) await flush();
      if (chunk.length >= BUFFER_BYTES) await writeAll(chunk);
      else {
        buffer.set(chunk, used);
        used += chunk.length;
      }
    },
    async close(): Promise<void> {
      if (handle === null) return;
      try {
        await flush();
      } finally {
        const h = handle;
        handle = null;
        await h.close();
      }
    },
    async discard(): Promise<void> {
      const h = handle;
      handle = null;
      used = 0;
      if (h !== null) await h.close().catch(() => undefined);
      await rm(path, { force: true });
    },
  };
}
