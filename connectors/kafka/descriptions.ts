/**
 * Trino's table description files: every `*.json` in `kafka.table-description-dir` maps one
 * topic onto a table,
 *
 *   { "tableName": "orders", "schemaName": "sales", "topicName": "orders.v1",
 *     "key":     { "dataFormat": "raw",  "fields": [ { "name": "id", "type": "BIGINT", "dataFormat": "LONG" } ] },
 *     "message": { "dataFormat": "json", "fields": [ { "name": "total", "type": "DOUBLE", "mapping": "amount/total" } ] } }
 *
 * with `dataSchema` (Avro) next to `dataFormat`, and per field `mapping`, `dataFormat`,
 * `formatHint`, `hidden`, `comment`. Files are read when a table is looked up and kept until
 * they change (by modification time and size).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { SqlError } from '../../engine/errors/index.js';
import { isInternal } from './columns.js';
import { createCodec, DATA_FORMATS, type CodecSpec, type DataFormat, type FieldSpec } from './codecs/index.js';
import { invalidDescription } from './errors.js';
import { declaredType } from './types.js';

/** A field of a description: a codec field, possibly hidden. */
export interface DescribedField extends FieldSpec {
  readonly hidden: boolean;
}

export interface DescribedCodec extends CodecSpec {
  readonly fields: readonly DescribedField[];
}

export interface TableDescription {
  readonly file: string;
  readonly schema: string;
  readonly table: string;
  readonly topic: string;
  readonly key: DescribedCodec | undefined;
  readonly message: DescribedCodec | undefined;
}

interface Cached {
  readonly version: string;
  readonly description: TableDescription;
}

export class DescriptionFolder {
  private readonly cache = new Map<string, Cached>();

  constructor(private readonly dir: string, private readonly required: boolean, private readonly defaultSchema: string) {}

  /** Every description in the folder (none when the default folder does not exist). */
  async load(): Promise<TableDescription[]> {
    let names: string[];
    try {
      names = (await readdir(this.dir)).filter((n) => n.endsWith('.json')).sort();
    } catch (e) {
      if (!this.required && (e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw invalidDescription(this.dir, `cannot read kafka.table-description-dir: ${(e as Error).message}`);
    }
    const out: TableDescription[] = [];
    const seen = new Map<string, string>();
    for (const name of names) {
      const file = join(this.dir, name);
      const d = await this.read(file);
      const key = `${d.schema}\u0000${d.table}`;
      const other = seen.get(key);
      if (other) throw invalidDescription(file, `table ${d.schema}.${d.table} is also described by ${other}`);
      seen.set(key, file);
      out.push(d);
    }
    return out;
  }

  private async read(file: string): Promise<TableDescription> {
    const s = await stat(file);
    const version = `${s.mtimeMs}:${s.size}`;
    const cached = this.cache.get(file);
    if (cached?.version === version) return cached.description;
    const description = await parseDescription(file, await readFile(file, 'utf8'), this.defaultSchema);
    this.cache.set(file, { version, description });
    return description;
  }
}

/** A description file's content, checked: its codecs are built once here so a bad field fails with F0000. */
export async function parseDescription(file: string, text: string, defaultSchema: string): Promise<TableDescription> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw invalidDescription(file, `not JSON: ${(e as Error).message}`);
  }
  if (!isObject(doc)) throw invalidDescription(file, 'the file must hold a JSON object');
  const str = (v: unknown, what: string, required: boolean): string | undefined => {
    if (v === undefined || v === null) {
      if (required) throw invalidDescription(file, `${what} is required`);
      return undefined;
    }
    if (typeof v !== 'string' || v === '') throw invalidDescription(file, `${what} must be a non-empty string`);
    return v;
  };
  const table = str(doc.tableName, 'tableName', true)!;
  const schema = str(doc.schemaName, 'schemaName', false) ?? defaultSchema;
  const topic = str(doc.topicName, 'topicName', true)!;
  const key = await codecOf(file, doc.key, 'key');
  const message = await codecOf(file, doc.message, 'message');
  const names = new Set<string>();
  for (const f of [...(key?.fields ?? []), ...(message?.fields ?? [])]) {
    if (names.has(f.name)) throw invalidDescription(file, `column "${f.name}" is defined twice`);
    if (isInternal(f.name)) throw invalidDescription(file, `column "${f.name}" has the name of an internal column`);
    names.add(f.name);
  }
  return { file, schema, table, topic, key, message };
}

async function codecOf(file: string, v: unknown, part: 'key' | 'message'): Promise<DescribedCodec | undefined> {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw invalidDescription(file, `${part} must be an object`);
  const format = typeof v.dataFormat === 'string' ? v.dataFormat.toLowerCase() : undefined;
  if (format === undefined) throw invalidDescription(file, `${part}.dataFormat is required (${DATA_FORMATS.join(', ')})`);
  // Trino's "dummy" decoder maps no columns
  if (format === 'dummy') return undefined;
  if (!DATA_FORMATS.includes(format as DataFormat)) throw invalidDescription(file, `${part}.dataFormat "${v.dataFormat}" is not one of ${DATA_FORMATS.join(', ')}`);
  if (!Array.isArray(v.fields)) throw invalidDescription(file, `${part}.fields must be an array`);
  const fields = v.fields.map((f: unknown, i: number) => fieldOf(file, f, `${part}.fields[${i}]`));
  const schema = format === 'avro' && v.dataSchema !== undefined ? await schemaText(file, v.dataSchema) : undefined;
  const spec: DescribedCodec = { dataFormat: format as DataFormat, ...(schema !== undefined ? { schema } : {}), fields };
  try {
    createCodec(spec);
  } catch (e) {
    if (e instanceof SqlError) throw invalidDescription(file, `${part}: ${e.message}`);
    throw e;
  }
  return spec;
}

function fieldOf(file: string, f: unknown, where: string): DescribedField {
  if (!isObject(f)) throw invalidDescription(file, `${where} must be an object`);
  if (typeof f.name !== 'string' || f.name === '') throw invalidDescription(file, `${where}.name is required`);
  if (typeof f.type !== 'string') throw invalidDescription(file, `${where} (column "${f.name}"): type is required`);
  let declared;
  try {
    declared = declaredType(f.type);
  } catch (e) {
    throw invalidDescription(file, `${where} (column "${f.name}"): ${(e as Error).message}`);
  }
  const opt = (key: 'mapping' | 'dataFormat' | 'formatHint'): Partial<Record<typeof key, string>> => {
    const x = f[key];
    if (x === undefined || x === null) return {};
    if (typeof x !== 'string' && typeof x !== 'number') throw invalidDescription(file, `${where}.${key} must be a string`);
    return { [key]: String(x) };
  };
  const hidden = f.hidden === true || (typeof f.hidden === 'string' && f.hidden.toLowerCase() === 'true');
  return { name: f.name, type: declared.type, tinyint: declared.tinyint, ...opt('mapping'), ...opt('dataFormat'), ...opt('formatHint'), hidden };
}

/** The Avro schema `dataSchema` names: inline (an object or its text), an http(s) URL, or a file (relative to the description). */
async function schemaText(file: string, v: unknown): Promise<string> {
  if (isObject(v) || Array.isArray(v)) return JSON.stringify(v);
  if (typeof v !== 'string' || v.trim() === '') throw invalidDescription(file, 'dataSchema must be a path, a URL or an Avro schema');
  const s = v.trim();
  if (s.startsWith('{') || s.startsWith('[') || s.startsWith('"')) return s;
  try {
    if (/^https?:\/\//i.test(s)) {
      const response = await fetch(s);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return await response.text();
    }
    return await readFile(isAbsolute(s) ? s : resolve(dirname(file), s), 'utf8');
  } catch (e) {
    throw invalidDescription(file, `cannot read dataSchema ${s}: ${(e as Error).message}`);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
