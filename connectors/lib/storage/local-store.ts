/** A lake catalog rooted at a local folder. */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Stats } from 'node:fs';
import { fileChanged, joinPath, storeError, type ByteSource, type FileEntry, type FileStore, type FileUpload } from './file-store.js';

const versionOf = (s: Stats): string => `${s.mtimeMs}:${s.size}`;
const byName = (a: { name: string }, b: { name: string }): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
const isMissing = (e: unknown): boolean => (e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR';

export class LocalFileStore implements FileStore {
  constructor(readonly location: string) {}

  private abs(path: string): string {
    return path === '' ? this.location : join(this.location, ...path.split('/'));
  }

  async listFiles(prefix: string): Promise<FileEntry[]> {
    const out: FileEntry[] = [];
    const walk = async (rel: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(this.abs(rel), { withFileTypes: true });
      } catch (e) {
        if (isMissing(e)) return;
        throw storeError(this.abs(rel), e);
      }
      for (const d of entries.sort(byName)) {
        const path = joinPath(rel, d.name);
        if (d.isDirectory()) await walk(path);
        else if (d.isFile()) {
          const s = await stat(this.abs(path));
          out.push({ path, size: s.size, version: versionOf(s) });
        }
      }
    };
    await walk(prefix);
    return out;
  }

  async listChildren(prefix: string): Promise<{ files: FileEntry[]; folders: string[] }> {
    let entries;
    try {
      entries = await readdir(this.abs(prefix), { withFileTypes: true });
    } catch (e) {
      if (isMissing(e)) return { files: [], folders: [] };
      throw storeError(this.abs(prefix), e);
    }
    const files: FileEntry[] = [];
    const folders: string[] = [];
    for (const d of entries.sort(byName)) {
      if (d.isDirectory()) folders.push(d.name);
      else if (d.isFile()) {
        const path = joinPath(prefix, d.name);
        const s = await stat(this.abs(path));
        files.push({ path, size: s.size, version: versionOf(s) });
      }
    }
    return { files, folders };
  }

  async stat(path: string): Promise<FileEntry | undefined> {
    try {
      const s = await stat(this.abs(path));
      return s.isFile() ? { path, size: s.size, version: versionOf(s) } : undefined;
    } catch (e) {
      if (isMissing(e)) return undefined;
      throw storeError(this.abs(path), e);
    }
  }

  open(file: FileEntry): ByteSource {
    const location = this.abs(file.path);
    return {
      size: file.size,
      read: async (offset, length) => {
        let handle;
        try {
          handle = await open(location, 'r');
        } catch (e) {
          throw isMissing(e) ? fileChanged(location) : storeError(location, e);
        }
        try {
          if (versionOf(await handle.stat()) !== file.version) throw fileChanged(location);
          const bytes = new Uint8Array(length);
          let done = 0;
          while (done < length) {
            const { bytesRead } = await handle.read(bytes, done, length - done, offset + done);
            if (bytesRead === 0) throw fileChanged(location);
            done += bytesRead;
          }
          return bytes;
        } finally {
          await handle.close();
        }
      },
    };
  }

  async readFile(path: string): Promise<Uint8Array> {
    try {
      return new Uint8Array(await readFile(this.abs(path)));
    } catch (e) {
      throw storeError(this.abs(path), e);
    }
  }

  async writeFile(path: string, bytes: Uint8Array): Promise<void> {
    const upload = await this.create(path);
    await upload.write(bytes);
    await upload.commit();
  }

  async create(path: string): Promise<FileUpload> {
    const target = this.abs(path);
    await mkdir(dirname(target), { recursive: true });
    const temp = join(dirname(target), `.${randomBytes(8).toString('hex')}.tmp`);
    const handle = await open(temp, 'wx');
    let closed = false;
    const close = async () => {
      if (!closed) {
        closed = true;
        await handle.close();
      }
    };
    return {
      write: async (chunk) => {
        let done = 0;
        while (done < chunk.length) done += (await handle.write(chunk, done, chunk.length - done)).bytesWritten;
      },
      commit: async () => {
        await handle.sync();
        await close();
        await rename(temp, target);
      },
      abort: async () => {
        await close();
        await rm(temp, { force: true });
      },
    };
  }

  async makeFolder(path: string): Promise<void> {
    await mkdir(this.abs(path), { recursive: true });
  }

  async remove(path: string): Promise<void> {
    await rm(this.abs(path), { recursive: true, force: true });
  }
}
