/**
 * A query's spill space: a folder under the OS temp dir, created on first use, holding the
 * files operators spill to. Each file is deleted by the operator that wrote it (in its
 * `finally`), the folder once no file is left, and any folder still present at process exit.
 * Bytes written count against lakegate.max_spill_bytes (53200 beyond); a full disk is 53100.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqlError, SqlState } from '../../errors/index.js';
import type { Batch, Schema } from '../batch/batch.js';
import { formatBytes } from '../memory/estimate.js';
import { ByteWriter } from './bytes.js';
import { decodeBatch, encodeBatch } from './batch-codec.js';

const liveFolders = new Set<string>();
process.once('exit', () => {
  for (const dir of liveFolders) rmSync(dir, { recursive: true, force: true });
});

export class SpillSpace {
  written = 0;
  private folder: string | null = null;
  private openFiles = 0;
  private nextFile = 0;

  constructor(readonly maxBytes: number, private readonly label: string) {}

  /** The query's folder, while it has spill files; null otherwise. */
  get path(): string | null {
    return this.folder;
  }

  async create(schema: Schema): Promise<SpillFile> {
    if (this.folder === null) {
      this.folder = mkdtempSync(join(tmpdir(), `lakegate-spill-${process.pid}-${this.label}-`));
      liveFolders.add(this.folder);
    }
    const path = join(this.folder, `${this.nextFile++}.spill`);
    this.openFiles++;
    try {
      return new SpillFile(this, path, await open(path, 'w+'), schema);
    } catch (e) {
      await this.closed();
      throw ioError(e, path);
    }
  }

  /** Counts bytes about to be written; 53200 when the spill limit would be passed. */
  charge(bytes: number): void {
    if (this.written + bytes > this.maxBytes) {
      throw new SqlError(SqlState.OUT_OF_MEMORY, `Query exceeded per-query spill limit of ${formatBytes(this.maxBytes)}`, {
        hint: 'Raise lakegate.max_spill_bytes or lakegate.query_max_memory.',
      });
    }
    this.written += bytes;
  }

  /** Called by a file once deleted: the folder goes with the last one. */
  async closed(): Promise<void> {
    if (--this.openFiles > 0 || this.folder === null) return;
    const dir = this.folder;
    this.folder = null;
    liveFolders.delete(dir);
    await rm(dir, { recursive: true, force: true });
  }
}

/** Maps an I/O failure to a SqlError: a full disk is 53100, anything else 58030. */
function ioError(e: unknown, path: string): SqlError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC' || code === 'EDQUOT') return new SqlError(SqlState.DISK_FULL, `could not write to file "${path}": No space left on device`);
  return new SqlError(SqlState.IO_ERROR, `could not access spill file "${path}": ${(e as Error).message}`);
}

/** Frame header: u32 length of the encoded batch, u32 zero (keeps the batch 8-byte aligned). */
const HEADER = 8;

/** An append-only file of batches (header + encoded batch per frame), read back in order. */
export class SpillFile {
  rows = 0;
  private size = 0;
  private deleted = false;
  private readonly writer = new ByteWriter();

  constructor(private readonly space: SpillSpace, readonly path: string, private readonly handle: FileHandle, readonly schema: Schema) {}

  async write(b: Batch): Promise<void> {
    if (b.length === 0) return;
    this.writer.pos = HEADER;
    const frame = encodeBatch(b, this.writer);
    frame.writeUInt32LE(frame.length - HEADER, 0);
    frame.writeUInt32LE(0, 4);
    this.space.charge(frame.length);
    try {
      await this.handle.write(frame, 0, frame.length, this.size);
    } catch (e) {
      throw ioError(e, this.path);
    }
    this.size += frame.length;
    this.rows += b.length;
  }

  async *read(): AsyncIterable<Batch> {
    const header = Buffer.alloc(HEADER);
    for (let at = 0; at < this.size;) {
      await this.handle.read(header, 0, HEADER, at);
      const n = header.readUInt32LE(0);
      const body = Buffer.allocUnsafe(n);
      await this.handle.read(body, 0, n, at + HEADER);
      at += HEADER + n;
      yield decodeBatch(body, this.schema);
    }
  }

  async delete(): Promise<void> {
    if (this.deleted) return;
    this.deleted = true;
    await this.handle.close().catch(() => undefined);
    await rm(this.path, { force: true });
    await this.space.closed();
  }
}
