/**
 * A lake catalog rooted at an S3 prefix (AWS or any S3-compatible store): ranged GETs pinned
 * to the ETag a query planned with (a changed object fails the query), multipart uploads that
 * become visible only on commit, and the SDK's retries with backoff.
 */
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, DeleteObjectsCommand, GetObjectCommand,
  HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client, UploadPartCommand, type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { SqlError } from '../../../engine/errors/index.js';
import { fileChanged, storeError, type ByteSource, type FileEntry, type FileStore, type FileUpload } from './file-store.js';

/** Catalog properties of an S3 root (Trino's names). */
export interface S3Settings {
  readonly endpoint?: string;
  readonly region?: string;
  readonly pathStyle?: boolean;
  readonly accessKey?: string;
  readonly secretKey?: string;
  /** With temporary credentials (vended by a catalog, or assumed roles). */
  readonly sessionToken?: string;
  readonly maxAttempts?: number;
}

/** Parts of a multipart upload; S3 wants at least 5 MiB for every part but the last. */
const PART_BYTES = 8 << 20;

const statusOf = (e: unknown): number | undefined => (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;

export class S3FileStore implements FileStore {
  readonly location: string;
  private readonly client: S3Client;
  private readonly bucket: string;
  /** Key prefix of the root, '' or ending in '/'. */
  private readonly root: string;

  constructor(url: string, settings: S3Settings = {}) {
    const m = /^s3a?:\/\/([^/]+)\/?(.*)$/.exec(url);
    if (!m) throw new Error(`not an S3 location: ${url}`);
    this.bucket = m[1]!;
    this.root = m[2]!.replace(/\/+$/, '') === '' ? '' : `${m[2]!.replace(/\/+$/, '')}/`;
    this.location = `s3://${this.bucket}/${this.root}`.replace(/\/$/, '');
    const config: S3ClientConfig = {
      region: settings.region ?? process.env.AWS_REGION ?? 'us-east-1',
      forcePathStyle: settings.pathStyle ?? settings.endpoint !== undefined,
      maxAttempts: settings.maxAttempts ?? 5,
      ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
      ...(settings.accessKey && settings.secretKey ? { credentials: { accessKeyId: settings.accessKey, secretAccessKey: settings.secretKey, ...(settings.sessionToken ? { sessionToken: settings.sessionToken } : {}) } } : {}),
    };
    this.client = new S3Client(config);
  }

  private key(path: string): string {
    return this.root + path;
  }

  private async list(prefix: string, delimiter?: string): Promise<{ files: FileEntry[]; folders: string[] }> {
    const files: FileEntry[] = [];
    const folders: string[] = [];
    const keyPrefix = prefix === '' ? this.root : `${this.key(prefix)}/`;
    let token: string | undefined;
    try {
      do {
        const out = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: keyPrefix, ContinuationToken: token, ...(delimiter ? { Delimiter: delimiter } : {}) }));
        for (const o of out.Contents ?? []) {
          if (!o.Key || o.Key.endsWith('/')) continue;
          files.push({ path: o.Key.slice(this.root.length), size: o.Size ?? 0, version: o.ETag ?? '' });
        }
        for (const p of out.CommonPrefixes ?? []) if (p.Prefix) folders.push(p.Prefix.slice(keyPrefix.length).replace(/\/$/, ''));
        token = out.IsTruncated ? out.NextContinuationToken : undefined;
      } while (token);
    } catch (e) {
      throw storeError(`s3://${this.bucket}/${keyPrefix}`, e);
    }
    return { files: files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)), folders: folders.sort() };
  }

  async listFiles(prefix: string): Promise<FileEntry[]> {
    return (await this.list(prefix)).files;
  }

  async listChildren(prefix: string): Promise<{ files: FileEntry[]; folders: string[] }> {
    return this.list(prefix, '/');
  }

  async stat(path: string): Promise<FileEntry | undefined> {
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.key(path) }));
      return { path, size: out.ContentLength ?? 0, version: out.ETag ?? '' };
    } catch (e) {
      if (statusOf(e) === 404) return undefined;
      throw storeError(`${this.location}/${path}`, e);
    }
  }

  open(file: FileEntry): ByteSource {
    const location = `${this.location}/${file.path}`;
    return {
      size: file.size,
      read: async (offset, length) => {
        if (length === 0) return new Uint8Array(0);
        try {
          const out = await this.client.send(new GetObjectCommand({
            Bucket: this.bucket, Key: this.key(file.path), Range: `bytes=${offset}-${offset + length - 1}`, ...(file.version ? { IfMatch: file.version } : {}),
          }));
          const bytes = await out.Body!.transformToByteArray();
          if (bytes.length !== length) throw fileChanged(location);
          return bytes;
        } catch (e) {
          const status = statusOf(e);
          if (status === 412 || status === 404) throw fileChanged(location);
          throw e instanceof SqlError ? e : storeError(location, e);
        }
      },
    };
  }

  async readFile(path: string): Promise<Uint8Array> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(path) }));
      return await out.Body!.transformToByteArray();
    } catch (e) {
      throw storeError(`${this.location}/${path}`, e);
    }
  }

  async writeFile(path: string, bytes: Uint8Array): Promise<void> {
    try {
      await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.key(path), Body: bytes }));
    } catch (e) {
      throw storeError(`${this.location}/${path}`, e);
    }
  }

  async create(path: string): Promise<FileUpload> {
    const key = this.key(path);
    const location = `${this.location}/${path}`;
    let pending: Uint8Array[] = [];
    let pendingBytes = 0;
    let uploadId: string | undefined;
    const parts: { ETag: string; PartNumber: number }[] = [];
    const take = (): Uint8Array => {
      const out = new Uint8Array(pendingBytes);
      let at = 0;
      for (const c of pending) {
        out.set(c, at);
        at += c.length;
      }
      pending = [];
      pendingBytes = 0;
      return out;
    };
    const flushPart = async () => {
      uploadId ??= (await this.client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key }))).UploadId!;
      const PartNumber = parts.length + 1;
      const out = await this.client.send(new UploadPartCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId, PartNumber, Body: take() }));
      parts.push({ ETag: out.ETag!, PartNumber });
    };
    const guard = async <T>(f: () => Promise<T>): Promise<T> => {
      try {
        return await f();
      } catch (e) {
        throw storeError(location, e);
      }
    };
    return {
      write: (chunk) => guard(async () => {
        pending.push(chunk.slice());
        pendingBytes += chunk.length;
        if (pendingBytes >= PART_BYTES) await flushPart();
      }),
      commit: () => guard(async () => {
        if (uploadId === undefined) {
          await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: take() }));
          return;
        }
        if (pendingBytes > 0) await flushPart();
        await this.client.send(new CompleteMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: parts } }));
      }),
      abort: async () => {
        pending = [];
        if (uploadId !== undefined) await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId })).catch(() => undefined);
      },
    };
  }

  async makeFolder(path: string): Promise<void> {
    // Object stores have no folders: a hidden marker object makes the prefix show up in listings.
    await this.writeFile(`${path}/.folder`, new Uint8Array(0));
  }

  async remove(path: string): Promise<void> {
    const keys = (await this.listFiles(path)).map((f) => this.key(f.path));
    if (await this.stat(path)) keys.push(this.key(path));
    for (let i = 0; i < keys.length; i += 1000) {
      const Objects = keys.slice(i, i + 1000).map((Key) => ({ Key }));
      try {
        await this.client.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects, Quiet: true } }));
      } catch (e) {
        throw storeError(`${this.location}/${path}`, e);
      }
    }
  }
}
