/**
 * A warehouse folder (local or S3) laid out as Hadoop catalogs write it:
 * <warehouse>/<namespace>/<table>/metadata/v<N>.metadata.json, with version-hint.text naming
 * the current N. The highest-numbered v<N> file is current (version-hint.text may lag behind a
 * commit that has not updated it yet); without any, the highest-numbered metadata file, which
 * also reads tables other writers keep as <NNNNN>-<uuid>.metadata.json.
 *
 * Commits write v<N+1>.metadata.json only if it does not exist yet (FileIO.createExclusive:
 * a hard link locally, `If-None-Match: *` on S3), then update version-hint.text; a writer
 * that finds the file already there lost the race (CommitConflict) and retries on the new
 * metadata.
 */
import { gunzipSync } from 'node:zlib';
import { SqlError, SqlState } from '../../../engine/errors/index.js';
import { isHiddenName } from '../../lib/storage/file-store.js';
import { FileIO, type IoProperties } from '../io.js';
import { parseTableMetadata } from '../metadata.js';
import { parseJsonWithLongs, stringifyJsonWithLongs } from '../write/json.js';
import { newTableMetadata } from '../write/schema.js';
import { CommitConflict, CommitOutcomeUnknown, type IcebergCatalog, type LoadedTable, type NewTable, type SnapshotCommit } from './catalog.js';

const METADATA_FILE = /^(?:v(\d+)|(\d+)-[^/]*)(?:\.gz)?\.metadata\.json(?:\.gz)?$/;

export class HadoopCatalog implements IcebergCatalog {
  private readonly io: FileIO;
  private readonly warehouse: string;

  constructor(warehouse: string, private readonly storage: IoProperties) {
    this.warehouse = warehouse.replace(/\/+$/, '');
    this.io = new FileIO(storage);
  }

  async listNamespaces(): Promise<string[]> {
    const { folders } = await this.io.listChildren(this.warehouse);
    return folders.filter((f) => !isHiddenName(f));
  }

  async listTables(namespace: string): Promise<string[]> {
    const { folders } = await this.io.listChildren(`${this.warehouse}/${namespace}`);
    const out: string[] = [];
    for (const f of folders.filter((x) => !isHiddenName(x))) {
      if ((await this.io.listFileNames(`${this.warehouse}/${namespace}/${f}/metadata`)).some((m) => METADATA_FILE.test(m))) out.push(f);
    }
    return out;
  }

  async loadTable(namespace: string, table: string): Promise<LoadedTable | undefined> {
    const current = await this.current(namespace, table);
    if (!current) return undefined;
    return { metadataLocation: current.location, metadata: parseTableMetadata(current.text), storage: this.storage };
  }

  // ---- writes ---------------------------------------------------------------------------------

  async createNamespace(namespace: string): Promise<boolean> {
    checkName(namespace);
    if ((await this.listNamespaces()).includes(namespace)) return false;
    await this.io.resolve(`${this.warehouse}/${namespace}`).store.makeFolder(this.io.resolve(`${this.warehouse}/${namespace}`).path);
    return true;
  }

  async dropNamespace(namespace: string): Promise<'dropped' | 'missing' | 'not-empty'> {
    if (!validName(namespace) || !(await this.listNamespaces()).includes(namespace)) return 'missing';
    if ((await this.listTables(namespace)).length > 0) return 'not-empty';
    await this.io.remove(`${this.warehouse}/${namespace}`);
    return 'dropped';
  }

  async createTable(namespace: string, table: string, definition: NewTable): Promise<boolean> {
    checkName(namespace);
    checkName(table);
    if (!(await this.listNamespaces()).includes(namespace)) throw new SqlError(SqlState.INVALID_SCHEMA_NAME, `schema "${namespace}" does not exist`);
    if (await this.current(namespace, table)) return false;
    const location = `${this.warehouse}/${namespace}/${table}`;
    const text = stringifyJsonWithLongs(newTableMetadata(location, definition), 2);
    if (!(await this.io.createExclusive(`${location}/metadata/v1.metadata.json`, new TextEncoder().encode(text)))) return false;
    await this.io.writeFile(`${location}/metadata/version-hint.text`, new TextEncoder().encode('1'));
    return true;
  }

  async dropTable(namespace: string, table: string): Promise<boolean> {
    if (!(await this.current(namespace, table))) return false;
    await this.io.remove(`${this.warehouse}/${namespace}/${table}`);
    return true;
  }

  async commitSnapshot(namespace: string, table: string, commit: SnapshotCommit): Promise<void> {
    const current = await this.current(namespace, table);
    if (!current) throw new SqlError(SqlState.UNDEFINED_TABLE, `relation "${namespace}.${table}" does not exist`);
    const raw = parseJsonWithLongs(current.text) as Record<string, unknown>;
    const main = (raw.refs as Record<string, { 'snapshot-id': unknown }> | undefined)?.main?.['snapshot-id'] ?? raw['current-snapshot-id'];
    const mainId = main === undefined || main === null || String(main) === '-1' ? undefined : String(main);
    if ((commit.tableUuid !== undefined && raw['table-uuid'] !== commit.tableUuid) || mainId !== commit.parentSnapshotId) {
      throw new CommitConflict(`table "${namespace}.${table}" changed since the write began`);
    }
    const s = commit.snapshot;
    const now = Number(s['timestamp-ms']);
    const next: Record<string, unknown> = {
      ...raw,
      'last-updated-ms': now,
      'current-snapshot-id': s['snapshot-id'],
      snapshots: [...((raw.snapshots as unknown[] | undefined) ?? []), s],
      refs: { ...((raw.refs as Record<string, unknown> | undefined) ?? {}), main: { 'snapshot-id': s['snapshot-id'], type: 'branch' } },
      'snapshot-log': [...((raw['snapshot-log'] as unknown[] | undefined) ?? []), { 'timestamp-ms': now, 'snapshot-id': s['snapshot-id'] }],
      'metadata-log': [...((raw['metadata-log'] as unknown[] | undefined) ?? []), { 'timestamp-ms': raw['last-updated-ms'], 'metadata-file': current.location }],
    };
    if (Number(raw['format-version'] ?? 1) >= 2) next['last-sequence-number'] = s['sequence-number'];
    const folder = current.location.slice(0, current.location.lastIndexOf('/'));
    const version = current.version + 1;
    let created: boolean;
    try {
      created = await this.io.createExclusive(`${folder}/v${version}.metadata.json`, new TextEncoder().encode(stringifyJsonWithLongs(next, 2)));
    } catch (e) {
      if ((e as { outcomeUnknown?: boolean }).outcomeUnknown) throw new CommitOutcomeUnknown((e as Error).message);
      throw e;
    }
    if (!created) throw new CommitConflict(`another writer committed version ${version} of table "${namespace}.${table}" first`);
    // readers and writers take the highest version present, so a failure here loses nothing
    await this.io.writeFile(`${folder}/version-hint.text`, new TextEncoder().encode(String(version))).catch(() => undefined);
  }

  /** The current metadata file of a table: its location, version number (0 when not v<N>-named) and text. */
  private async current(namespace: string, table: string): Promise<{ location: string; version: number; text: string } | undefined> {
    if (!validName(namespace) || !validName(table)) return undefined;
    const folder = `${this.warehouse}/${namespace}/${table}/metadata`;
    const found = await this.currentMetadataFile(folder);
    if (!found) return undefined;
    let bytes = await this.io.readFile(found.location);
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = new Uint8Array(gunzipSync(bytes));
    return { ...found, text: new TextDecoder().decode(bytes) };
  }

  private async currentMetadataFile(folder: string): Promise<{ location: string; version: number } | undefined> {
    const names = await this.io.listFileNames(folder);
    // the highest v<N> file: version-hint.text names it too once its commit has finished
    let numbered: { version: number; name: string } | undefined;
    let best: { version: number; name: string } | undefined;
    for (const name of names) {
      const m = METADATA_FILE.exec(name);
      if (!m) continue;
      const version = Number(m[1] ?? m[2]);
      if (m[1] !== undefined && (!numbered || version > numbered.version)) numbered = { version, name };
      if (!best || version > best.version) best = { version, name };
    }
    const chosen = numbered ?? best;
    return chosen ? { location: `${folder}/${chosen.name}`, version: numbered ? chosen.version : 0 } : undefined;
  }
}

const validName = (n: string): boolean => !(n === '' || n.includes('/') || n === '..' || n === '.');

function checkName(n: string): void {
  if (!validName(n)) throw new SqlError(SqlState.INVALID_NAME, `"${n}" cannot name an Iceberg namespace or table in a warehouse folder`);
}

