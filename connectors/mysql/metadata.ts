/**
 * Schemas, tables, columns and statistics from information_schema. Names are matched exactly
 * in JavaScript after the lookup (information_schema compares them case-insensitively on many
 * servers), so `Orders` never resolves to `orders`.
 */
import { T } from '../../engine/types/pg-type.js';
import type { ColumnMetadata, TableStatistics } from '../spi/index.js';
import type { MySqlClient } from './client.js';
import { columnType, pgTypeOf, type ColumnInfo } from './types.js';

/** MySQL's own databases: not shown as schemas. */
const SYSTEM_SCHEMAS = new Set(['mysql', 'information_schema', 'performance_schema', 'sys']);

const isSystemSchema = (name: string): boolean => SYSTEM_SCHEMAS.has(name.toLowerCase());

const str = (v: unknown): string => (Buffer.isBuffer(v) ? v.toString('utf8') : String(v));
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export async function listSchemas(client: MySqlClient): Promise<string[]> {
  const { rows } = await client.query('SELECT SCHEMA_NAME FROM information_schema.SCHEMATA');
  return rows.map((r) => str(r[0])).filter((s) => !isSystemSchema(s)).sort();
}

export async function listTables(client: MySqlClient, schema: string): Promise<string[]> {
  if (isSystemSchema(schema)) return [];
  const { rows } = await client.query('SELECT TABLE_SCHEMA, TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?', [schema]);
  return rows.filter((r) => str(r[0]) === schema).map((r) => str(r[1])).sort();
}

/** The integer primary key a table can be split by. */
export interface SplitKey {
  readonly column: string;
  readonly unsigned: boolean;
}

export interface TableDescription {
  /**
   * The columns in table order. A column of a type Lakegate cannot read (geometry, vector, …)
   * is hidden, typed `unknown` (nothing is pushed down on it but IS NULL and count) and listed
   * in `unsupported`: naming it in a query fails with 0A000 (see scan).
   */
  readonly columns: readonly ColumnMetadata[];
  /** MySQL column type by column name, for the hidden unreadable columns. */
  readonly unsupported: Readonly<Record<string, string>>;
  readonly splitKey?: SplitKey;
}

const INTEGER_KEYS = new Set(['tinyint', 'smallint', 'mediumint', 'int', 'bigint']);

/** The table's columns (in order), or undefined when there is no such table or view. */
export async function describeTable(client: MySqlClient, schema: string, table: string): Promise<TableDescription | undefined> {
  if (isSystemSchema(schema)) return undefined;
  const { rows } = await client.query(
    'SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, NUMERIC_PRECISION, NUMERIC_SCALE, CHARACTER_MAXIMUM_LENGTH, '
      + 'DATETIME_PRECISION, IS_NULLABLE, COLUMN_KEY FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION',
    [schema, table],
  );
  const mine = rows.filter((r) => str(r[0]) === schema && str(r[1]) === table);
  if (mine.length === 0) return undefined;
  const jsonColumns = mine.some((r) => str(r[3]).toLowerCase() === 'longtext') ? await mariadbJsonColumns(client, schema, table) : new Set<string>();
  const columns: ColumnMetadata[] = [];
  const unsupported: Record<string, string> = {};
  const keys: { column: string; base: string; unsigned: boolean; boolean: boolean }[] = [];
  for (const r of mine) {
    const name = str(r[2]);
    const info: ColumnInfo = {
      dataType: str(r[3]), columnType: str(r[4]), numericPrecision: num(r[5]), numericScale: num(r[6]),
      characterLength: num(r[7]), datetimePrecision: num(r[8]), jsonCheck: jsonColumns.has(name),
    };
    const t = columnType(info);
    const mapped = pgTypeOf(t);
    const nullable = str(r[9]) === 'YES';
    if ('unsupported' in mapped) {
      unsupported[name] = info.columnType;
      columns.push({ name, type: T.unknown, nullable, hidden: true });
      continue;
    }
    columns.push({ name, type: mapped.type, nullable });
    if (str(r[10]) === 'PRI') keys.push({ column: name, base: t.base, unsigned: t.unsigned, boolean: t.boolean });
  }
  const key = keys.length === 1 && INTEGER_KEYS.has(keys[0]!.base) && !keys[0]!.boolean ? keys[0]! : undefined;
  return { columns, unsupported, ...(key ? { splitKey: { column: key.column, unsigned: key.unsigned } } : {}) };
}

/**
 * Columns MariaDB declares JSON: it stores them as LONGTEXT with a `json_valid(col)` check.
 * (MySQL has a real JSON type; its CHECK_CONSTRAINTS view has no table column.)
 */
async function mariadbJsonColumns(client: MySqlClient, schema: string, table: string): Promise<Set<string>> {
  if (!(await client.isMariaDb())) return new Set();
  const { rows } = await client.query(
    'SELECT CONSTRAINT_SCHEMA, TABLE_NAME, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ? AND TABLE_NAME = ?',
    [schema, table],
  );
  const out = new Set<string>();
  for (const r of rows) {
    if (str(r[0]) !== schema || str(r[1]) !== table) continue;
    const m = /^json_valid\(`((?:[^`]|``)+)`\)$/i.exec(str(r[2]).trim());
    if (m) out.add(m[1]!.replaceAll('``', '`'));
  }
  return out;
}

/**
 * Row count estimate (information_schema.TABLES.TABLE_ROWS: InnoDB samples it) and distinct
 * counts from index cardinality: a column that leads an index gets that index's cardinality
 * (a single-column unique index: the row count).
 */
export async function tableStatistics(client: MySqlClient, schema: string, table: string): Promise<TableStatistics> {
  const { rows } = await client.query(
    'SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_TYPE, TABLE_ROWS FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?',
    [schema, table],
  );
  const t = rows.find((r) => str(r[0]) === schema && str(r[1]) === table);
  if (!t || str(t[2]) !== 'BASE TABLE' || t[3] === null) return {};
  const rowCount = Number(t[3]);
  const index = await client.query(
    'SELECT TABLE_SCHEMA, TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX, COLUMN_NAME, CARDINALITY, NON_UNIQUE FROM information_schema.STATISTICS '
      + 'WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?',
    [schema, table],
  );
  const mine = index.rows.filter((r) => str(r[0]) === schema && str(r[1]) === table);
  const width = new Map<string, number>();
  for (const r of mine) width.set(str(r[2]), Math.max(width.get(str(r[2])) ?? 0, Number(r[3])));
  const distinct = new Map<string, number>();
  for (const r of mine) {
    if (Number(r[3]) !== 1) continue;
    const column = str(r[4]);
    const unique = Number(r[6]) === 0 && width.get(str(r[2])) === 1;
    const n = unique ? rowCount : r[5] === null ? undefined : Math.min(Number(r[5]), rowCount);
    if (n !== undefined) distinct.set(column, Math.max(distinct.get(column) ?? 0, n));
  }
  const columns = Object.fromEntries([...distinct].map(([c, n]) => [c, { distinctCount: n }]));
  return { rowCount, ...(distinct.size > 0 ? { columns } : {}) };
}
