/**
 * What the connector asks the server's catalog: schemas, relations and their columns, size
 * estimates, planner statistics, primary keys, and the result columns of a native query.
 * Every query names pg_catalog objects explicitly and binds names as parameters.
 */
import type { FieldDef } from 'pg';
import { SqlError, SqlState } from '../../engine/errors/index.js';
import type { PgType } from '../../engine/types/pg-type.js';
import type { RemoteDatabase, Row } from './remote.js';
import { mapRemoteType, needsTypeRow, type RemoteTypeRow } from './types.js';

/** Relation kinds exposed as tables: tables, views, materialized views, foreign and partitioned tables. */
const TABLE_KINDS = `('r', 'v', 'm', 'f', 'p')`;

/** FROM … WHERE selecting relation $2 of schema $1 as `c`. */
const RELATION = `pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ${TABLE_KINDS}`;

export async function listSchemas(remote: RemoteDatabase): Promise<string[]> {
  const rows = await remote.query(`SELECT n.nspname FROM pg_catalog.pg_namespace n
    WHERE n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema' ORDER BY 1`);
  return rows.map((r) => r[0]!);
}

export async function listTables(remote: RemoteDatabase, schema: string): Promise<string[]> {
  const rows = await remote.query(`SELECT c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = $1 AND c.relkind IN ${TABLE_KINDS} ORDER BY 1`, [schema]);
  return rows.map((r) => r[0]!);
}

export interface RemoteColumn {
  readonly name: string;
  readonly type: PgType;
  readonly nullable: boolean;
}

/**
 * The relation's columns (in attnum order), or undefined when no such table or view exists.
 * Columns of types Lakegate cannot represent are left out (README.md, "Type mapping").
 */
export async function describeTable(remote: RemoteDatabase, schema: string, table: string): Promise<RemoteColumn[] | undefined> {
  const rows = await remote.query(`SELECT a.attname, a.atttypid, a.atttypmod, a.attnotnull
    FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
    WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ${TABLE_KINDS}
    ORDER BY a.attnum`, [schema, table]);
  if (rows.length === 0) return undefined;
  // A relation without columns still gives one row (of NULLs) from the outer join.
  const attributes = rows.filter((r) => r[0] !== null);
  const typeRows = await loadTypeRows(remote, attributes.map((r) => Number(r[1])));
  const columns: RemoteColumn[] = [];
  for (const [name, typeOid, typmod, notNull] of attributes) {
    const mapped = mapRemoteType(Number(typeOid), Number(typmod), typeRows);
    if ('type' in mapped) columns.push({ name: name!, type: mapped.type, nullable: notNull !== 't' });
  }
  return columns;
}

/** pg_type rows of every type (and the domain bases and array elements they lead to) Lakegate does not know by OID. */
async function loadTypeRows(remote: RemoteDatabase, oids: readonly number[]): Promise<Map<number, RemoteTypeRow>> {
  const found = new Map<number, RemoteTypeRow>();
  let wanted = [...new Set(oids.filter(needsTypeRow))];
  while (wanted.length > 0) {
    const rows = await remote.query(`SELECT t.oid, n.nspname, t.typname, t.typtype, t.typbasetype, t.typtypmod,
        CASE WHEN t.typcategory = 'A' THEN t.typelem ELSE 0 END
      FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
      WHERE t.oid = ANY ($1::pg_catalog.oid[])`, [wanted]);
    const next = new Set<number>();
    for (const r of rows) {
      const row: RemoteTypeRow = {
        oid: Number(r[0]), schema: r[1]!, name: r[2]!, kind: r[3]!, baseType: Number(r[4]), baseTypmod: Number(r[5]), arrayElement: Number(r[6]),
      };
      found.set(row.oid, row);
      for (const o of [row.baseType, row.arrayElement]) if (o !== 0 && needsTypeRow(o) && !found.has(o)) next.add(o);
    }
    wanted = [...next];
  }
  return found;
}

// ---- sizes and statistics ---------------------------------------------------------------------

export interface RelationFacts {
  readonly oid: string;
  /** pg_class.relkind. */
  readonly kind: string;
  /** Estimated rows now, as PostgreSQL's planner estimates them; undefined for views and foreign tables. */
  readonly rows: number | undefined;
  /** Blocks of the relation now (the largest partition's, for a partitioned table). */
  readonly blocks: number;
  /** server_version_num, e.g. 150004. */
  readonly serverVersion: number;
}

/**
 * Size of the relation now: pg_class.reltuples/relpages give the density PostgreSQL last
 * measured (VACUUM/ANALYZE), scaled to the current number of blocks, as the planner's
 * estimate_rel_size does; a never-analyzed relation (reltuples = -1) is estimated from its
 * blocks and column widths. Partitioned tables add up their leaf partitions.
 */
export async function relationFacts(remote: RemoteDatabase, schema: string, table: string): Promise<RelationFacts | undefined> {
  const rows = await remote.query(`WITH rel AS (SELECT c.oid, c.relkind FROM ${RELATION}),
    leaves AS (
      SELECT rel.oid AS relid FROM rel WHERE rel.relkind <> 'p'
      UNION ALL
      SELECT t.relid FROM rel, pg_catalog.pg_partition_tree(rel.oid) t WHERE rel.relkind = 'p' AND t.isleaf)
    SELECT rel.oid, rel.relkind, pg_catalog.current_setting('server_version_num'), pg_catalog.current_setting('block_size'),
      p.reltuples, p.relpages, pg_catalog.pg_relation_size(p.oid),
      (SELECT pg_catalog.sum(CASE WHEN ty.typlen > 0 THEN ty.typlen ELSE 32 END)
         FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type ty ON ty.oid = a.atttypid
        WHERE a.attrelid = p.oid AND a.attnum > 0 AND NOT a.attisdropped)
    FROM rel LEFT JOIN leaves ON true LEFT JOIN pg_catalog.pg_class p ON p.oid = leaves.relid`, [schema, table]);
  if (rows.length === 0) return undefined;
  const [oid, kind, version, blockSize] = rows[0]!;
  const bytesPerBlock = Number(blockSize);
  const hasStorage = kind === 'r' || kind === 'm' || kind === 'p';
  let total = 0;
  let blocks = 0;
  for (const r of rows) {
    if (r[4] === null) continue;
    const leafBlocks = Math.floor(Number(r[6]) / bytesPerBlock);
    blocks = Math.max(blocks, leafBlocks);
    total += estimateRows(Number(r[4]), Number(r[5]), leafBlocks, bytesPerBlock, Number(r[7] ?? 0));
  }
  return { oid: oid!, kind: kind!, rows: hasStorage ? total : undefined, blocks, serverVersion: Number(version) };
}

function estimateRows(reltuples: number, relpages: number, blocks: number, blockSize: number, tupleWidth: number): number {
  if (reltuples >= 0 && relpages > 0) return Math.round((reltuples / relpages) * blocks);
  if (blocks === 0) return 0;
  // Page header 24 bytes; per tuple a 4-byte line pointer and a ~24-byte header.
  return Math.round((blocks * (blockSize - 24)) / (tupleWidth + 28));
}

export interface ColumnStatsRow {
  readonly column: string;
  readonly nullFraction: number;
  /** pg_stats.n_distinct: > 0 a count, < 0 minus the fraction of rows that are distinct. */
  readonly distinct: number;
  readonly averageWidth: number;
  /** histogram_bounds and most_common_vals as array text, when present. */
  readonly histogram: string | null;
  readonly commonValues: string | null;
}

/** ANALYZE's per-column statistics (pg_stats; for a partitioned table, those over all partitions). */
export async function columnStatistics(remote: RemoteDatabase, schema: string, table: string, partitioned: boolean): Promise<ColumnStatsRow[]> {
  const rows = await remote.query(`SELECT s.attname, s.null_frac, s.n_distinct, s.avg_width,
      s.histogram_bounds::pg_catalog.text, s.most_common_vals::pg_catalog.text
    FROM pg_catalog.pg_stats s WHERE s.schemaname = $1 AND s.tablename = $2 AND s.inherited = $3`, [schema, table, partitioned]);
  return rows.map((r: Row) => ({
    column: r[0]!, nullFraction: Number(r[1]), distinct: Number(r[2]), averageWidth: Number(r[3]), histogram: r[4] ?? null, commonValues: r[5] ?? null,
  }));
}

/** The single-column integer primary key of a relation, if it has one. */
export async function integerPrimaryKey(remote: RemoteDatabase, relationOid: string): Promise<{ name: string; typeName: string } | undefined> {
  const rows = await remote.query(`SELECT a.attname, t.typname
    FROM pg_catalog.pg_index i
    JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
    JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
    WHERE i.indrelid = $1::pg_catalog.oid AND i.indisprimary AND i.indnkeyatts = 1 AND t.typname IN ('int2', 'int4', 'int8')`, [relationOid]);
  const row = rows[0];
  return row ? { name: row[0]!, typeName: row[1]! } : undefined;
}

/** Smallest and largest value of an integer column (`relation` and `column` quoted SQL; an index lookup each when indexed). */
export async function keyRange(remote: RemoteDatabase, relation: string, column: string): Promise<[bigint, bigint] | undefined> {
  const rows = await remote.query(`SELECT pg_catalog.min(${column}), pg_catalog.max(${column}) FROM ${relation}`);
  const [low, high] = rows[0]!;
  return low === null || high === null ? undefined : [BigInt(low!), BigInt(high!)];
}

// ---- native queries ---------------------------------------------------------------------------

/**
 * The result columns of `sql` without running it: the statement becomes a cursor
 * (`DECLARE … CURSOR FOR sql` in a read-only transaction) and `FETCH 0` returns its row
 * description. The extended protocol takes one statement per Parse, and DECLARE accepts only a
 * query (SELECT, VALUES, WITH without data-modifying parts, TABLE), so anything else fails here.
 * The session is closed afterwards: whatever the statement did to it never returns to the pool.
 */
export async function describeQuery(remote: RemoteDatabase, sql: string): Promise<RemoteColumn[]> {
  const lease = await remote.acquire();
  let fields: readonly FieldDef[];
  try {
    await lease.run('BEGIN READ ONLY');
    await lease.run(`DECLARE lakegate_describe NO SCROLL CURSOR FOR ${sql}`);
    fields = (await lease.run('FETCH FORWARD 0 FROM lakegate_describe')).fields;
  } finally {
    lease.abandon();
  }
  const typeRows = await loadTypeRows(remote, fields.map((f) => f.dataTypeID));
  const seen = new Set<string>();
  return fields.map((f) => {
    if (seen.has(f.name)) {
      throw new SqlError(SqlState.DUPLICATE_COLUMN, `the native query returns more than one column named "${f.name}"`, { hint: 'Give the columns distinct names with AS.' });
    }
    seen.add(f.name);
    const mapped = mapRemoteType(f.dataTypeID, f.dataTypeModifier, typeRows);
    if ('unsupported' in mapped) {
      throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, `column "${f.name}" of the native query has type ${mapped.unsupported}, which Lakegate cannot represent`, {
        hint: 'Cast the column to a supported type in the query, e.g. to text.',
      });
    }
    return { name: f.name, type: mapped.type, nullable: true };
  });
}
