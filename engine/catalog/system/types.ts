/** pg_type rows and the per-type facts pg_attribute repeats (typlen, typbyval, typalign, typstorage). */
import { arrayOf, T, type PgType } from '../../types/pg-type.js';
import { PG_CATALOG_NAMESPACE, USER_OID } from './oids.js';

export const typeLen = (t: PgType): number => (t.elem ? -1 : t.len);
export const typeByVal = (t: PgType): boolean => !t.elem && t.layout !== 'object';
export function typeAlign(t: PgType): string {
  if (t.elem) return typeAlign(t.elem) === 'd' ? 'd' : 'i';
  if (t.name === 'interval') return 'd';
  switch (t.len) {
    case 8: return 'd';
    case 4: case 12: return 'i'; // 12: aclitem
    case 2: return 's';
    case -1: return 'i';
    default: return 'c';
  }
}
export const typeStorage = (t: PgType): string => (t.elem || t.len < 0 ? (t.name === 'numeric' ? 'm' : 'x') : 'p');
/** Collation of a column of this type: "default" (100) for strings. */
export const typeCollation = (t: PgType): number => ((t.elem ?? t).category === 'S' && t.name !== 'char' ? 100 : 0);

interface TypeRow {
  readonly oid: number;
  readonly name: string;
  readonly len: number;
  readonly byval: boolean;
  readonly type: string;
  readonly category: string;
  readonly preferred: boolean;
  readonly elem: number;
  readonly array: number;
  readonly align: string;
  readonly storage: string;
  readonly collation: number;
}

const PREFERRED = new Set(['bool', 'text', 'float8', 'oid', 'timestamptz', 'interval']);

function baseRows(): TypeRow[] {
  const rows: TypeRow[] = [];
  for (const t of Object.values(T)) {
    let array = 0;
    try { array = arrayOf(t).oid; } catch { /* no array type */ }
    rows.push({
      oid: t.oid, name: t.name, len: t.len, byval: typeByVal(t), type: t.name === 'unknown' || t.category === 'P' ? 'p' : 'b', category: t.category,
      preferred: PREFERRED.has(t.name), elem: t.name === 'name' ? T.char.oid : 0, array, align: typeAlign(t), storage: typeStorage(t), collation: typeCollation(t),
    });
    if (array) {
      const a = arrayOf(t);
      rows.push({
        oid: a.oid, name: a.name, len: -1, byval: false, type: 'b', category: 'A', preferred: false, elem: t.oid, array: 0,
        align: typeAlign(a), storage: 'x', collation: typeCollation(t),
      });
    }
  }
  // Types Lakegate has no values of, but that catalog columns and clients name.
  const extra = (oid: number, name: string, len: number, type: string, category: string, elem = 0, array = 0): TypeRow =>
    ({ oid, name, len, byval: len > 0 && len <= 8, type, category, preferred: false, elem, array, align: len === 8 ? 'd' : len === 2 ? 's' : len === 1 ? 'c' : 'i', storage: len < 0 ? 'x' : 'p', collation: 0 });
  rows.push(
    extra(22, 'int2vector', -1, 'b', 'A', 21, 1006),
    extra(30, 'oidvector', -1, 'b', 'A', 26, 1013),
    extra(194, 'pg_node_tree', -1, 'b', 'Z'),
    extra(2202, 'regprocedure', 4, 'b', 'N', 0, 2207),
    extra(4089, 'regnamespace', 4, 'b', 'N', 0, 4090),
    extra(4096, 'regrole', 4, 'b', 'N', 0, 4097),
    extra(2249, 'record', -1, 'p', 'P', 0, 2287),
    extra(2275, 'cstring', -2, 'p', 'P', 0, 1263),
    extra(2276, 'any', 4, 'p', 'P'),
    extra(2277, 'anyarray', -1, 'p', 'P'),
    extra(2279, 'trigger', 4, 'p', 'P'),
    extra(2283, 'anyelement', 4, 'p', 'P'),
  );
  return rows;
}

let cached: TypeRow[] | undefined;
export const typeRows = (): TypeRow[] => (cached ??= baseRows());

const ARRAY_IN = 750;
const RECORD_IN = 2290;

/** A pg_type row in PostgreSQL 15's column order. */
export const pgTypeRow = (r: TypeRow): unknown[] => [
  r.oid, r.name, PG_CATALOG_NAMESPACE, USER_OID, r.len, r.byval, r.type, r.category, r.preferred, true, ',', 0, 0, r.elem, r.array,
  r.name.startsWith('_') ? ARRAY_IN : r.name === 'record' ? RECORD_IN : 0, 0, 0, 0, 0, 0, 0, r.align, r.storage, false, 0, -1, 0, r.collation, null, null, null,
];
