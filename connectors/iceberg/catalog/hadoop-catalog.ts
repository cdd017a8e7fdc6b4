/**
 * A warehouse folder (local or S3) laid out as Hadoop catalogs write it:
 * <warehouse>/<namespace>/<table>/metadata/v<N>.metadata.json, with version-hint.text naming
 * the current N. Without a version hint the highest-numbered metadata file is current, which
 * also reads tables other writers keep as <NNNNN>-<uuid>.metadata.json.
 */
import { gunzipSync } from 'node:zlib';
import { isHiddenName } from '../../lake/storage/file-store.js';
import { FileIO, type IoProperties } from '../io.js';
import { parseTableMetadata } from '../metadata.js';
import type { IcebergCatalog, LoadedTable } from './catalog.js';

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
      if ((await this.io.listChildren(`${this.warehouse}/${namespace}/${f}/metadata`)).files.some((m) => METADATA_FILE.test(baseName(m.path)))) out.push(f);
    }
    return out;
  }

  async loadTable(namespace: string, table: string): Promise<LoadedTable | undefined> {
    if ([namespace, table].some((n) => n === '' || n.includes('/') || n === '..' || n === '.')) return undefined;
    const folder = `${this.warehouse}/${namespace}/${table}/metadata`;
    const location = await this.currentMetadataFile(folder);
    if (!location) return undefined;
    let bytes = await this.io.readFile(location);
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = new Uint8Array(gunzipSync(bytes));
    return { metadataLocation: location, metadata: parseTableMetadata(new TextDecoder().decode(bytes)), storage: this.storage };
  }

  private async currentMetadataFile(folder: string): Promise<string | undefined> {
    const { files } = await this.io.listChildren(folder);
    const names = files.map((f) => baseName(f.path));
    if (names.includes('version-hint.text')) {
      const hint = new TextDecoder().decode(await this.io.readFile(`${folder}/version-hint.text`)).trim();
      const named = names.find((n) => n === `v${hint}.metadata.json` || n === `v${hint}.gz.metadata.json` || n === `v${hint}.metadata.json.gz`);
      if (/^\d+$/.test(hint) && named) return `${folder}/${named}`;
    }
    let best: { version: number; name: string } | undefined;
    for (const name of names) {
      const m = METADATA_FILE.exec(name);
      if (!m) continue;
      const version = Number(m[1] ?? m[2]);
      if (!best || version > best.version) best = { version, name };
    }
    return best ? `${folder}/${best.name}` : undefined;
  }
}

const baseName = (path: string): string => path.slice(path.lastIndexOf('/') + 1);
