/**
 * A client of the Iceberg REST catalog protocol (the Iceberg project's OpenAPI specification,
 * `rest-catalog-open-api.yaml`), on fetch():
 *
 *   GET  /v1/config?warehouse=…                    defaults and overrides (prefix, storage)
 *   POST /v1/oauth/tokens (or the configured URI)  OAuth2 client-credentials tokens
 *   GET  /v1/{prefix}/namespaces                   paged by pageToken / next-page-token
 *   GET  /v1/{prefix}/namespaces/{ns}/tables
 *   GET  /v1/{prefix}/namespaces/{ns}/tables/{t}   LoadTableResult: metadata-location, metadata,
 *                                                  config (vended s3.* credentials), storage-credentials
 *   POST /v1/{prefix}/namespaces                   CreateNamespaceRequest (409: exists)
 *   DELETE /v1/{prefix}/namespaces/{ns}            (409: not empty)
 *   POST /v1/{prefix}/namespaces/{ns}/tables       CreateTableRequest: name, schema, partition-spec,
 *                                                  write-order, properties (409: exists)
 *   DELETE /v1/{prefix}/namespaces/{ns}/tables/{t}?purgeRequested=true
 *   POST /v1/{prefix}/namespaces/{ns}/tables/{t}   CommitTableRequest: requirements
 *                                                  [assert-table-uuid, assert-ref-snapshot-id main],
 *                                                  updates [add-snapshot, set-snapshot-ref main]
 *
 * Every request goes through `send`, which adds the bearer token, refreshes it before it
 * expires (and once more on a 401), and maps failures to SQLSTATEs. A commit answered 409
 * failed a requirement (CommitConflict: reload and retry); a 5xx answer, a timeout or a
 * connection lost after the request went out leave its outcome unknown (CommitOutcomeUnknown).
 */
import { SqlError, SqlState } from '../../../engine/errors/index.js';
import { normaliseMetadata } from '../metadata.js';
import { stringifyJsonWithLongs } from '../write/json.js';
import { specFieldsJson } from '../write/schema.js';
import { CommitConflict, CommitOutcomeUnknown, type IcebergCatalog, type LoadedTable, type NewTable, type SnapshotCommit } from './catalog.js';

export interface RestCatalogOptions {
  readonly uri: string;
  readonly warehouse?: string;
  /** Path prefix; else the one /v1/config returns in its overrides. */
  readonly prefix?: string;
  /** `client_id:client_secret` for the OAuth2 client-credentials flow. */
  readonly credential?: string;
  /** A bearer token used as is. */
  readonly token?: string;
  /** Token endpoint; default `<uri>/v1/oauth/tokens`. */
  readonly oauth2ServerUri?: string;
  readonly scope?: string;
  /** The catalog's own storage properties; config defaults come under them, overrides and vended ones over them. */
  readonly storage: Readonly<Record<string, string>>;
  /** Seconds a request may take. */
  readonly timeoutSeconds?: number;
}

interface CatalogConfig {
  readonly prefix: string;
  readonly storage: Readonly<Record<string, string>>;
}

interface Response {
  readonly status: number;
  readonly text: string;
}

/** Tokens are renewed this long before they expire. */
const REFRESH_MARGIN_MS = 60_000;

export class RestCatalog implements IcebergCatalog {
  private readonly base: string;
  private config?: Promise<CatalogConfig>;
  private token?: { value: string; expiresAt: number };

  constructor(private readonly options: RestCatalogOptions) {
    this.base = options.uri.replace(/\/+$/, '');
  }

  async listNamespaces(): Promise<string[]> {
    const out: string[] = [];
    for (const page of await this.pages(`${await this.root()}/namespaces`, 'namespaces')) {
      for (const ns of page as string[][]) out.push(ns.join('.'));
    }
    return out;
  }

  async listTables(namespace: string): Promise<string[]> {
    const out: string[] = [];
    try {
      for (const page of await this.pages(`${await this.root()}/namespaces/${encodeNamespace(namespace)}/tables`, 'identifiers')) {
        for (const id of page as { name: string }[]) out.push(id.name);
      }
    } catch (e) {
      if (e instanceof NotFound) return [];
      throw e;
    }
    return out;
  }

  async loadTable(namespace: string, table: string): Promise<LoadedTable | undefined> {
    const path = `${await this.root()}/namespaces/${encodeNamespace(namespace)}/tables/${encodeURIComponent(table)}`;
    let res: Response;
    try {
      res = await this.send('GET', path, { headers: { 'X-Iceberg-Access-Delegation': 'vended-credentials' } });
    } catch (e) {
      if (e instanceof NotFound) return undefined;
      throw e;
    }
    const body = parseJson(res.text, path) as {
      'metadata-location'?: string;
      metadata: Record<string, unknown>;
      config?: Record<string, string>;
      'storage-credentials'?: { prefix: string; config: Record<string, string> }[];
    };
    const { storage } = await this.catalogConfig();
    const location = String(body.metadata.location ?? '');
    // the most specific storage credential whose prefix covers the table's location
    const credential = (body['storage-credentials'] ?? [])
      .filter((c) => location.startsWith(c.prefix))
      .sort((a, b) => b.prefix.length - a.prefix.length)[0];
    return {
      ...(body['metadata-location'] ? { metadataLocation: body['metadata-location'] } : {}),
      metadata: normaliseMetadata(body.metadata),
      storage: { ...storage, ...(body.config ?? {}), ...(credential?.config ?? {}) },
    };
  }

  // ---- writes ---------------------------------------------------------------------------------

  async createNamespace(namespace: string): Promise<boolean> {
    const res = await this.send('POST', `${await this.root()}/namespaces`, { body: { namespace: namespace.split('.'), properties: {} }, expect: [409] });
    return res.status !== 409;
  }

  async dropNamespace(namespace: string): Promise<'dropped' | 'missing' | 'not-empty'> {
    try {
      const res = await this.send('DELETE', `${await this.root()}/namespaces/${encodeNamespace(namespace)}`, { expect: [409] });
      return res.status === 409 ? 'not-empty' : 'dropped';
    } catch (e) {
      if (e instanceof NotFound) return 'missing';
      throw e;
    }
  }

  async createTable(namespace: string, table: string, definition: NewTable): Promise<boolean> {
    const body = {
      name: table,
      schema: definition.schema,
      'partition-spec': { 'spec-id': 0, fields: specFieldsJson(definition.partitionFields ?? []) },
      'write-order': { 'order-id': 0, fields: [] },
      'stage-create': false,
      properties: { ...definition.properties, 'format-version': String(definition.formatVersion ?? 2) },
    };
    try {
      const res = await this.send('POST', `${await this.root()}/namespaces/${encodeNamespace(namespace)}/tables`, { body, expect: [409] });
      return res.status !== 409;
    } catch (e) {
      if (e instanceof NotFound) throw new SqlError(SqlState.INVALID_SCHEMA_NAME, `schema "${namespace}" does not exist`);
      throw e;
    }
  }

  async dropTable(namespace: string, table: string): Promise<boolean> {
    try {
      await this.send('DELETE', `${await this.root()}/namespaces/${encodeNamespace(namespace)}/tables/${encodeURIComponent(table)}?purgeRequested=true`);
      return true;
    } catch (e) {
      if (e instanceof NotFound) return false;
      throw e;
    }
  }

  async commitSnapshot(namespace: string, table: string, commit: SnapshotCommit): Promise<void> {
    const snapshotId = commit.snapshot['snapshot-id'];
    const body = {
      identifier: { namespace: namespace.split('.'), name: table },
      requirements: [
        ...(commit.tableUuid !== undefined ? [{ type: 'assert-table-uuid', uuid: commit.tableUuid }] : []),
        { type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': commit.parentSnapshotId === undefined ? null : BigInt(commit.parentSnapshotId) },
      ],
      updates: [
        { action: 'add-snapshot', snapshot: commit.snapshot },
        { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': snapshotId },
      ],
    };
    const path = `${await this.root()}/namespaces/${encodeNamespace(namespace)}/tables/${encodeURIComponent(table)}`;
    let res: Response;
    try {
      res = await this.send('POST', path, { rawBody: stringifyJsonWithLongs(body), expect: [409, 500, 502, 503, 504], timeoutSeconds: 120 });
    } catch (e) {
      if ((e as { requestSent?: boolean }).requestSent) throw new CommitOutcomeUnknown((e as Error).message);
      throw e;
    }
    if (res.status === 409) throw new CommitConflict(errorMessage(res.text) ?? 'the table changed since the write began');
    if (res.status >= 500) throw new CommitOutcomeUnknown(`Iceberg REST catalog at ${this.base} answered the commit of "${namespace}.${table}" with HTTP ${res.status}: ${errorMessage(res.text) ?? ''}`);
  }

  // ---- protocol -------------------------------------------------------------------------------

  /** `/v1` or `/v1/{prefix}`. */
  private async root(): Promise<string> {
    const { prefix } = await this.catalogConfig();
    return prefix === '' ? '/v1' : `/v1/${prefix.split('/').map(encodeURIComponent).join('/')}`;
  }

  private catalogConfig(): Promise<CatalogConfig> {
    this.config ??= (async () => {
      const query = this.options.warehouse ? `?warehouse=${encodeURIComponent(this.options.warehouse)}` : '';
      const res = await this.send('GET', `/v1/config${query}`);
      const body = parseJson(res.text, '/v1/config') as { defaults?: Record<string, string>; overrides?: Record<string, string> };
      const merged = { ...(body.defaults ?? {}), ...this.options.storage, ...(body.overrides ?? {}) };
      const storage = Object.fromEntries(Object.entries(merged).filter(([k]) => k.startsWith('s3.') || k.startsWith('client.')));
      return { prefix: (this.options.prefix ?? body.overrides?.prefix ?? '').replace(/^\/+|\/+$/g, ''), storage };
    })();
    this.config.catch(() => {
      this.config = undefined; // try again on the next request
    });
    return this.config;
  }

  /** Every page of a listing: the `key` array of each response, following next-page-token. */
  private async pages(path: string, key: string): Promise<unknown[][]> {
    const out: unknown[][] = [];
    let token: string | undefined;
    do {
      const res = await this.send('GET', token === undefined ? path : `${path}?pageToken=${encodeURIComponent(token)}`);
      const body = parseJson(res.text, path) as Record<string, unknown>;
      out.push((body[key] as unknown[] | undefined) ?? []);
      const next = body['next-page-token'];
      token = typeof next === 'string' && next !== '' ? next : undefined;
    } while (token !== undefined);
    return out;
  }

  /**
   * One request with authentication; fails with a SqlError (NotFound for 404) unless the
   * status is 2xx or in `expect`. `rawBody` is JSON text sent as is.
   */
  private async send(
    method: string,
    path: string,
    init: { body?: unknown; rawBody?: string; headers?: Record<string, string>; expect?: readonly number[]; timeoutSeconds?: number } = {},
    retried = false,
  ): Promise<Response> {
    const headers: Record<string, string> = { Accept: 'application/json', ...init.headers };
    const bearer = await this.bearer(retried);
    if (bearer) headers.Authorization = `Bearer ${bearer}`;
    const body = init.rawBody ?? (init.body === undefined ? undefined : JSON.stringify(init.body));
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await this.http(method, `${this.base}${path}`, headers, body, init.timeoutSeconds);
    if (res.status === 401 && !retried && this.options.credential) {
      this.token = undefined;
      return this.send(method, path, init, true);
    }
    if ((res.status >= 200 && res.status < 300) || init.expect?.includes(res.status)) return res;
    const message = errorMessage(res.text) ?? `HTTP ${res.status}`;
    if (res.status === 404) throw new NotFound(message);
    if (res.status === 401 || res.status === 403) {
      throw new SqlError(SqlState.INVALID_AUTHORIZATION_SPECIFICATION, `Iceberg REST catalog at ${this.base} refused ${method} ${path}: ${message}`, {
        hint: 'Check iceberg.rest-catalog.oauth2.credential or iceberg.rest-catalog.oauth2.token.',
      });
    }
    throw new SqlError(SqlState.FDW_ERROR, `Iceberg REST catalog at ${this.base} failed ${method} ${path}: ${message} (HTTP ${res.status})`);
  }

  /** One HTTP exchange; a failure says whether the request may have reached the server (`requestSent`). */
  private async http(method: string, url: string, headers: Record<string, string>, body?: string, timeoutSeconds?: number): Promise<Response> {
    let res: globalThis.Response;
    try {
      res = await fetch(url, { method, headers, ...(body !== undefined ? { body } : {}), signal: AbortSignal.timeout((timeoutSeconds ?? this.options.timeoutSeconds ?? 30) * 1000) });
      return { status: res.status, text: await res.text() };
    } catch (e) {
      const cause = (e as { cause?: { message?: string; code?: string } }).cause;
      const notSent = cause?.code !== undefined && ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'].includes(cause.code);
      throw Object.assign(
        new SqlError(SqlState.FDW_UNABLE_TO_ESTABLISH_CONNECTION, `cannot reach the Iceberg REST catalog at ${this.base}: ${cause?.message ?? (e as Error).message}`, {
          hint: 'Check iceberg.rest-catalog.uri and that the catalog service is running.',
        }),
        { requestSent: !notSent },
      );
    }
  }

  /** The bearer token: the configured one, or a client-credentials token renewed before it expires. */
  private async bearer(forceRefresh: boolean): Promise<string | undefined> {
    if (this.options.token && !this.options.credential) return this.options.token;
    if (!this.options.credential) return undefined;
    if (!forceRefresh && this.token && Date.now() < this.token.expiresAt - REFRESH_MARGIN_MS) return this.token.value;
    const colon = this.options.credential.indexOf(':');
    const [clientId, secret] = colon < 0 ? [undefined, this.options.credential] : [this.options.credential.slice(0, colon), this.options.credential.slice(colon + 1)];
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_secret: secret, scope: this.options.scope ?? 'catalog' });
    if (clientId !== undefined) form.set('client_id', clientId);
    const url = this.options.oauth2ServerUri ?? `${this.base}/v1/oauth/tokens`;
    const res = await this.http('POST', url, { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' }, form.toString());
    const body = (() => {
      try {
        return JSON.parse(res.text) as { access_token?: string; expires_in?: number; error?: string; error_description?: string };
      } catch {
        return {};
      }
    })();
    if (res.status !== 200 || !body.access_token) {
      throw new SqlError(SqlState.INVALID_AUTHORIZATION_SPECIFICATION, `Iceberg REST catalog token request to ${url} failed: ${body.error_description ?? body.error ?? `HTTP ${res.status}`}`, {
        hint: 'Check iceberg.rest-catalog.oauth2.credential (client_id:client_secret).',
      });
    }
    // without expires_in the token is kept for an hour
    this.token = { value: body.access_token, expiresAt: Date.now() + (body.expires_in ?? 3600) * 1000 };
    return this.token.value;
  }
}

class NotFound extends Error {}

/** Namespace levels joined by the unit separator, as the specification says. */
const encodeNamespace = (namespace: string): string => namespace.split('.').map(encodeURIComponent).join('%1F');

function parseJson(text: string, what: string): unknown {
  try {
    // quote long integers first: snapshot ids exceed 2^53
    return JSON.parse(text.replace(/([:\[,]\s*)(-?\d{16,})(?=\s*[,}\]])/g, '$1"$2"'));
  } catch {
    throw new SqlError(SqlState.FDW_ERROR, `Iceberg REST catalog answered ${what} with something that is not JSON`);
  }
}

function errorMessage(text: string): string | undefined {
  try {
    const body = JSON.parse(text) as { error?: { message?: string; type?: string } };
    if (body.error?.message) return body.error.type ? `${body.error.type}: ${body.error.message}` : body.error.message;
  } catch {
    // not JSON
  }
  return text.trim() === '' ? undefined : text.trim().slice(0, 200);
}
