/** Where Parquet bytes come from: a local file, memory, or (elsewhere) an object store. */
import { open, type FileHandle } from 'node:fs/promises';
import { SqlError, SqlState } from '../../../engine/errors/index.js';

/** Random-access reads of an immutable byte range [0, size). */
export interface ByteSource {
  readonly size: number;
  /** Exactly `length` bytes from `offset` (fails when the range is out of bounds). */
  read(offset: number, length: number): Promise<Uint8Array>;
}

/** A ByteSource that holds an open file; close it when done. */
export interface FileByteSource extends ByteSource {
  readonly path: string;
  close(): Promise<void>;
}

const outOfRange = (offset: number, length: number, size: number) =>
  new SqlError(SqlState.IO_ERROR, `read of ${length} bytes at ${offset} is outside a ${size}-byte source`);

/** Opens a local file for reading. */
export async function fileByteSource(path: string): Promise<FileByteSource> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new SqlError(code === 'ENOENT' ? SqlState.UNDEFINED_FILE : SqlState.IO_ERROR, `could not open file "${path}": ${(err as Error).message}`, { cause: err });
  }
  const { size } = await handle.stat();
  return {
    path,
    size,
    async read(offset, length) {
      if (offset < 0 || length < 0 || offset + length > size) throw outOfRange(offset, length, size);
      const buf = new Uint8Array(length);
      let done = 0;
      while (done < length) {
        const { bytesRead } = await handle.read(buf, done, length - done, offset + done);
        if (bytesRead === 0) throw new SqlError(SqlState.IO_ERROR, `unexpected end of file "${path}"`);
        done += bytesRead;
      }
      return buf;
    },
    close: () => handle.close(),
  };
}

/** Bytes already in memory (reads return views, not copies). */
export function memoryByteSource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.length,
    read(offset, length) {
      if (offset < 0 || length < 0 || offset + length > bytes.length) return Promise.reject(outOfRange(offset, length, bytes.length));
      return Promise.resolve(bytes.subarray(offset, offset + length));
    },
  };
}
