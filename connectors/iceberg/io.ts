/**
 * Reading the files an Iceberg table names by absolute location (file:/…, /…, s3://bucket/…)
 * through the lake connector's FileStore: one local store at '/', one S3 store per bucket
 * and credential set. Iceberg files never change once written, so reads are not pinned to a
 * version.
 */
import { SqlError, SqlState } from '../../engine/errors/index.js';
import type { ByteSource } from '../lake/parquet/index.js';
import type { FileEntry, FileStore } from '../lake/storage/file-store.js';
import { LocalFileStore } from '../lake/storage/local-store.js';
import { S3FileStore, type S3Settings } from '../lake/storage/s3-store.js';

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

  private s3Store(bucket: string): S3FileStore {
    const p = this.properties;
    const settings: S3Settings = {
      ...(p['s3.endpoint'] ? { endpoint: p['s3.endpoint'] } : {}),
      ...((p['s3.region'] ?? p['client.region']) ? { region: p['s3.region'] ?? p['client.region'] } : {}),
      ...(p['s3.path-style-access'] !== undefined ? { pathStyle: p['s3.path-style-access'] === 'true' } : {}),
      ...((p['s3.access-key-id'] ?? p['s3.aws-access-key']) ? { accessKey: p['s3.access-key-id'] ?? p['s3.aws-access-key'] } : {}),
      ...((p['s3.secret-access-key'] ?? p['s3.aws-secret-key']) ? { secretKey: p['s3.secret-access-key'] ?? p['s3.aws-secret-key'] } : {}),
      ...(p['s3.session-token'] ? { sessionToken: p['s3.session-token'] } : {}),
    };
    const key = JSON.stringify([bucket, settings]);
    let store = FileIO.s3Stores.get(key);
    if (!store) {
      store = new S3FileStore(`s3://${bucket}`, settings);
      FileIO.s3Stores.set(key, store);
    }
    return store;
  }
}

/** The S3 properties of a catalog or loadTable config (everything starting with s3. or client.). */
export function storageProperties(all: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(all).filter(([k]) => k.startsWith('s3.') || k.startsWith('client.')));
}
