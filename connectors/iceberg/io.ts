/**
 * Reading and writing the files an Iceberg table names by absolute location (file:/…, /…,
 * s3://bucket/…) through the lake connector's FileStore: one local store at '/', one S3 store
 * per bucket and credential set. Iceberg files never change once written, so reads are not
 * pinned to a version. `createExclusive` writes a file only if none exists at its location
 * (a hard link locally, a conditional PUT with `If-None-Match: *` on S3): the atomic step of a
 * Hadoop-catalog commit.
 */
import { link, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SqlError, SqlState } from '../../engine/errors/index.js';
import type { ByteSource } from '../lib/parquet/index.js';
import { storeError, type FileEntry, type FileStore, type FileUpload } from '../lib/storage/file-store.js';
import { LocalFileStore } from '../lib/storage/local-store.js';
import { S3FileStore, type S3Settings } from '../lib/storage/s3-store.js';

/** Storage properties: the catalog's (Trino's names) merged with a table's vended ones (Iceberg's names). */
export type IoProperties = Readonly<Record<string, string>>;

const S3_URL = /^s3[an]?:\/\/([^/]+)\/?(.*)$/;

/** Where a location lives: a store and the path inside it. */
export interface Resolved {
  readonly store: FileStore;
  readonly path: string;
}

export class FileIO {
  private static readonly local = new LocalFileStore('/');
  private static readonly s3Stores = new Map<string, S3FileStore>();
  private static readonly s3Clients = new Map<string, S3Client>();

  constructor(readonly properties: IoProperties) {}

  resolve(location: string): Resolved {
    const s3 = S3_URL.exec(location);
    if (s3) return { store: this.s3Store(s3[1]!), path: s3[2]! };
    let path = location;
    if (path.startsWith('file:')) path = decodeURIComponent(path.replace(/^file:(\/\/)?/, ''));
    if (!path.startsWith('/')) {
      throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, `cannot read Iceberg file "${location}": only local paths and s3:// locations are supported`);
    }
    return { store: FileIO.local, path: path.replace(/^\/+/, '') };
  }

  async readFile(location: string): Promise<Uint8Array> {
    const { store, path } = this.resolve(location);
    return store.readFile(path);
  }

  async exists(location: string): Promise<boolean> {
    const { store, path } = this.resolve(location);
    return (await store.stat(path)) !== undefined;
  }

  /** A byte source over a file whose size the manifest gives (local files are looked at once for their version). */
  async open(location: string, size?: number): Promise<ByteSource> {
    const { store, path } = this.resolve(location);
    let entry: FileEntry | undefined;
    if (store === FileIO.local || size === undefined) {
      entry = await store.stat(path);
      if (!entry) throw new SqlError(SqlState.UNDEFINED_FILE, `Iceberg file "${location}" does not exist`);
    } else entry = { path, size, version: '' };
    return store.open(entry);
  }

  /** The names of files and folders directly under a folder location. */
  async listChildren(location: string): Promise<{ files: FileEntry[]; folders: string[] }> {
    const { store, path } = this.resolve(location.replace(/\/+$/, ''));
    return store.listChildren(path);
  }

  /**
   * The names of the files directly under a folder location. Locally this reads the folder
   * only (no stat of each file), so files other writers rename or remove meanwhile do not
   * fail it.
   */
  async listFileNames(location: string): Promise<string[]> {
    const { store, path } = this.resolve(location.replace(/\/+$/, ''));
    if (store !== FileIO.local) return (await store.listChildren(path)).files.map((f) => f.path.slice(f.path.lastIndexOf('/') + 1));
    try {
      return (await readdir(`/${path}`, { withFileTypes: true })).filter((d) => d.isFile()).map((d) => d.name);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return [];
      throw storeError(location, e);
    }
  }

  /** A file written in pieces, visible at its location only after `commit`. */
  create(location: string): Promise<FileUpload> {
    const { store, path } = this.resolve(location);
    return store.create(path);
  }

  /** Writes a small file in one piece, replacing any at the location. */
  async writeFile(location: string, bytes: Uint8Array): Promise<void> {
    const { store, path } = this.resolve(location);
    await store.writeFile(path, bytes);
  }

  /** Removes a file, or a folder with everything under it. */
  async remove(location: string): Promise<void> {
    const { store, path } = this.resolve(location.replace(/\/+$/, ''));
    await store.remove(path);
  }

  /**
   * Writes a file only if nothing exists at the location, atomically: false when a file was
   * there (another writer won). Local files are written under a temporary name and hard-linked
   * into place; S3 uses a conditional PUT (`If-None-Match: *`).
   */
  async createExclusive(location: string, bytes: Uint8Array): Promise<boolean> {
    const s3 = S3_URL.exec(location);
    if (s3) {
      try {
        await this.s3Client(s3[1]!).send(new PutObjectCommand({ Bucket: s3[1]!, Key: s3[2]!, Body: bytes, IfNoneMatch: '*' }));
        return true;
      } catch (e) {
        const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
        if (status === 412 || status === 409) return false;
        throw Object.assign(storeError(location, e), { outcomeUnknown: status === undefined || status >= 500 });
      }
    }
    const { path } = this.resolve(location);
    const target = `/${path}`;
    await mkdir(dirname(target), { recursive: true });
    const temp = `${dirname(target)}/.${randomBytes(8).toString('hex')}.tmp`;
    try {
      await writeFile(temp, bytes, { flag: 'wx' });
      await link(temp, target);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw storeError(location, e);
    } finally {
      await rm(temp, { force: true });
    }
  }

  private s3Settings(): S3Settings {
    const p = this.properties;
    const settings: S3Settings = {
      ...(p['s3.endpoint'] ? { endpoint: p['s3.endpoint'] } : {}),
      ...((p['s3.region'] ?? p['client.region']) ? { region: p['s3.region'] ?? p['client.region'] } : {}),
      ...(p['s3.path-style-access'] !== undefined ? { pathStyle: p['s3.path-style-access'] === 'true' } : {}),
      ...((p['s3.access-key-id'] ?? p['s3.aws-access-key']) ? { accessKey: p['s3.access-key-id'] ?? p['s3.aws-access-key'] } : {}),
      ...((p['s3.secret-access-key'] ?? p['s3.aws-secret-key']) ? { secretKey: p['s3.secret-access-key'] ?? p['s3.aws-secret-key'] } : {}),
      ...(p['s3.session-token'] ? { sessionToken: p['s3.session-token'] } : {}),
    };
    return settings;
  }

  private s3Client(bucket: string): S3Client {
    return this.cachedPerBucket(FileIO.s3Clients, bucket, (settings) =>
      new S3Client({
        region: settings.region ?? process.env.AWS_REGION ?? 'us-east-1',
        forcePathStyle: settings.pathStyle ?? settings.endpoint !== undefined,
        ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
        ...(settings.accessKey && settings.secretKey
          ? { credentials: { accessKeyId: settings.accessKey, secretAccessKey: settings.secretKey, ...(settings.sessionToken ? { sessionToken: settings.sessionToken } : {}) } }
          : {}),
      }),
    );
  }

  private s3Store(bucket: string): S3FileStore {
    return this.cachedPerBucket(FileIO.s3Stores, bucket, (settings) => new S3FileStore(`s3://${bucket}`, settings));
  }

  /** The cache's object for this bucket and these S3 settings, made on first use. */
  private cachedPerBucket<T>(cache: Map<string, T>, bucket: string, make: (settings: S3Settings) => T): T {
    const settings = this.s3Settings();
    const key = JSON.stringify([bucket, settings]);
    let value = cache.get(key);
    if (!value) {
      value = make(settings);
      cache.set(key, value);
    }
    return value;
  }
}

/** The S3 properties of a catalog or loadTable config (everything starting with s3. or client.). */
export function storageProperties(all: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(all).filter(([k]) => k.startsWith('s3.') || k.startsWith('client.')));
}
