/** How a system table is described: PostgreSQL 15 columns, and rows computed from a snapshot. */
import type { ColumnMetadata } from '../../../connectors/spi/index.js';
import { arrayOf, T, type PgType } from '../../types/pg-type.js';
import type { Snapshot } from './snapshot.js';

export interface SystemTableDef {
  readonly schema: 'pg_catalog' | 'information_schema';
  readonly name: string;
  readonly oid: number;
  /** 'v' for what PostgreSQL defines as a view (pg_tables, pg_settings, information_schema.*). */
  readonly kind: 'r' | 'v';
  readonly columns: readonly ColumnMetadata[];
  /** Datums in column order (see the table in engine/types/pg-type.ts); null is NULL. */
  rows(snapshot: Snapshot): unknown[][];
}

/**
 * Column types. PostgreSQL types Lakegate lacks are shown as the nearest it has: pg_node_tree as
 * text, int2vector/oidvector as int2[]/oid[], anyarray as text, inet as text.
 */
export const C = {
  oid: T.oid, name: T.name, char: T.char, bool: T.bool, int2: T.int2, int4: T.int4, int8: T.int8, float4: T.float4,
  text: T.text, xid: T.xid, regproc: T.regproc, timestamptz: T.timestamptz, varchar: T.varchar,
  textArray: arrayOf(T.text), oidArray: arrayOf(T.oid), int2Array: arrayOf(T.int2), charArray: arrayOf(T.char), nameArray: arrayOf(T.name),
  acl: arrayOf(T.aclitem), nodeTree: T.text, int2vector: arrayOf(T.int2), oidvector: arrayOf(T.oid), anyarray: T.text, inet: T.text,
} satisfies Record<string, PgType>;

export const columns = (spec: string): ColumnMetadata[] =>
  spec.trim().split(/\s*,\s*/).map((part) => {
    const [name, type] = part.split(/\s+/) as [string, keyof typeof C];
    const t = C[type];
    if (!t) throw new Error(`unknown system column type ${type}`);
    return { name, type: t, nullable: true };
  });

export const table = (
  schema: SystemTableDef['schema'], name: string, oid: number, kind: 'r' | 'v', spec: string, rows: (s: Snapshot) => unknown[][] = () => [],
): SystemTableDef => ({ schema, name, oid, kind, columns: columns(spec), rows });
