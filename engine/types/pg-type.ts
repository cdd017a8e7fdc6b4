/**
 * PostgreSQL types as the engine knows them. Every value in Lakegate has one of these
 * (OID + typmod); connectors map their source types here once, in one place.
 *
 * Each type has a physical layout in a column vector (see engine/execution/batch/vector.ts)
 * and a scalar "datum" representation:
 *
 * | type                                   | layout   | datum                                             |
 * |----------------------------------------|----------|---------------------------------------------------|
 * | bool                                   | bool     | boolean                                           |
 * | int2, int4                             | int32    | number                                            |
 * | date                                   | int32    | number: days since 1970-01-01 (±infinity: ±2^31-1)|
 * | oid, regclass, regtype, regproc, xid   | float64  | number (unsigned 32-bit)                          |
 * | float4, float8                         | float64  | number                                            |
 * | int8                                   | int64    | bigint                                            |
 * | time                                   | int64    | bigint: microseconds since midnight               |
 * | timestamp, timestamptz                 | int64    | bigint: microseconds since 1970-01-01 00:00 (UTC for timestamptz); ±infinity: int64 max/min |
 * | numeric                                | object   | Numeric (engine/types/numeric.ts)                 |
 * | text, varchar, bpchar, name, char, json, jsonb, uuid, aclitem, unknown | object | string (jsonb: normalised text) |
 * | bytea                                  | object   | Uint8Array                                        |
 * | interval                               | object   | Interval (engine/types/interval.ts)               |
 * | one-dimensional arrays                 | object   | Array<datum | null>                               |
 * | record (anonymous composite)           | object   | Array<datum | null>, one per field                 |
 *
 * NULL is never a datum; vectors mark it in their null map and scalar code uses `null`.
 */

export type Layout = 'bool' | 'int32' | 'int64' | 'float64' | 'object';

export type TypeCategory = 'B' | 'N' | 'S' | 'D' | 'T' | 'U' | 'A' | 'X' | 'P';

export interface PgType {
  readonly oid: number;
  readonly name: string;
  /** Type modifier as PostgreSQL encodes it (-1 when none): varchar(n) → n+4, numeric(p,s) → ((p<<16)|s)+4. */
  readonly typmod: number;
  readonly layout: Layout;
  /** pg_type.typlen: fixed byte length, or -1 for variable length. */
  readonly len: number;
  readonly category: TypeCategory;
  /** Element type, for array types. */
  readonly elem?: PgType;
  /** Field names and types, for the anonymous composite type `record`. */
  readonly fields?: readonly RecordField[];
}

export interface RecordField {
  readonly name: string;
  readonly type: PgType;
}

interface BaseDef {
  oid: number;
  name: string;
  layout: Layout;
  len: number;
  category: TypeCategory;
  arrayOid: number;
}

const base = (oid: number, name: string, layout: Layout, len: number, category: TypeCategory, arrayOid: number): BaseDef => ({
  oid,
  name,
  layout,
  len,
  category,
  arrayOid,
});

const defs = {
  bool: base(16, 'bool', 'bool', 1, 'B', 1000),
  bytea: base(17, 'bytea', 'object', -1, 'U', 1001),
  char: base(18, 'char', 'object', 1, 'S', 1002),
  name: base(19, 'name', 'object', 64, 'S', 1003),
  int8: base(20, 'int8', 'int64', 8, 'N', 1016),
  int2: base(21, 'int2', 'int32', 2, 'N', 1005),
  int4: base(23, 'int4', 'int32', 4, 'N', 1007),
  regproc: base(24, 'regproc', 'float64', 4, 'N', 1008),
  text: base(25, 'text', 'object', -1, 'S', 1009),
  oid: base(26, 'oid', 'float64', 4, 'N', 1028),
  xid: base(28, 'xid', 'float64', 4, 'U', 1011),
  json: base(114, 'json', 'object', -1, 'U', 199),
  float4: base(700, 'float4', 'float64', 4, 'N', 1021),
  float8: base(701, 'float8', 'float64', 8, 'N', 1022),
  unknown: base(705, 'unknown', 'object', -2, 'X', 0),
  void: base(2278, 'void', 'object', 4, 'P', 0),
  bpchar: base(1042, 'bpchar', 'object', -1, 'S', 1014),
  varchar: base(1043, 'varchar', 'object', -1, 'S', 1015),
  date: base(1082, 'date', 'int32', 4, 'D', 1182),
  time: base(1083, 'time', 'int64', 8, 'D', 1183),
  timestamp: base(1114, 'timestamp', 'int64', 8, 'D', 1115),
  timestamptz: base(1184, 'timestamptz', 'int64', 8, 'D', 1185),
  interval: base(1186, 'interval', 'object', 16, 'T', 1187),
  numeric: base(1700, 'numeric', 'object', -1, 'N', 1231),
  aclitem: base(1033, 'aclitem', 'object', 12, 'U', 1034),
  regclass: base(2205, 'regclass', 'float64', 4, 'N', 2210),
  regtype: base(2206, 'regtype', 'float64', 4, 'N', 2211),
  uuid: base(2950, 'uuid', 'object', 16, 'U', 2951),
  jsonb: base(3802, 'jsonb', 'object', -1, 'U', 3807),
} satisfies Record<string, BaseDef>;

export type BaseTypeName = keyof typeof defs;

const scalar = (d: BaseDef, typmod = -1): PgType => ({
  oid: d.oid,
  name: d.name,
  typmod,
  layout: d.layout,
  len: d.len,
  category: d.category,
});

/** The base types with no typmod. */
export const T: { readonly [K in BaseTypeName]: PgType } = Object.fromEntries(
  Object.entries(defs).map(([k, d]) => [k, scalar(d)]),
) as { [K in BaseTypeName]: PgType };

const byOid = new Map<number, BaseDef>();
const arrayByOid = new Map<number, BaseDef>();
for (const d of Object.values(defs)) {
  byOid.set(d.oid, d);
  if (d.arrayOid) arrayByOid.set(d.arrayOid, d);
}

/** The type with a given OID and typmod, including array types; undefined when unknown. */
export function typeByOid(oid: number, typmod = -1): PgType | undefined {
  const d = byOid.get(oid);
  if (d) return typmod === -1 ? T[d.name as BaseTypeName] : scalar(d, typmod);
  const e = arrayByOid.get(oid);
  if (e) return arrayOf(T[e.name as BaseTypeName]);
  return undefined;
}

export function typeByName(name: BaseTypeName, typmod = -1): PgType {
  return typmod === -1 ? T[name] : scalar(defs[name], typmod);
}

/** The one-dimensional array type whose elements are `elem`. */
export function arrayOf(elem: PgType): PgType {
  const d = byOid.get(elem.oid);
  if (!d || !d.arrayOid) throw new Error(`no array type for ${elem.name}`);
  return { oid: d.arrayOid, name: `_${d.name}`, typmod: elem.typmod, layout: 'object', len: -1, category: 'A', elem };
}

export const isArrayType = (t: PgType): boolean => t.elem !== undefined;

/**
 * PostgreSQL's anonymous composite type `record` (OID 2249) with these fields, e.g. the row a
 * set-returning function with several result columns gives in the select list. Its datum is
 * the array of field datums (null for NULL); `(r).field` reads one.
 */
export const recordOf = (fields: readonly RecordField[]): PgType =>
  ({ oid: 2249, name: 'record', typmod: -1, layout: 'object', len: -1, category: 'P', fields });

export const numericTypmod = (precision: number, scale: number): number => ((precision << 16) | (scale & 0x7ff)) + 4;
export const numericPrecision = (typmod: number): number => ((typmod - 4) >> 16) & 0xffff;
/** Scale from a numeric typmod (PostgreSQL allows negative scales since 15). */
export const numericScale = (typmod: number): number => ((((typmod - 4) & 0x7ff) ^ 1024) - 1024);

/** Same type, ignoring typmod. */
export const sameType = (a: PgType, b: PgType): boolean => a.oid === b.oid;

/** The name PostgreSQL's format_type() prints, e.g. "numeric(15,2)", "character varying(25)", "integer[]". */
export function formatType(t: PgType): string {
  if (t.elem) return `${formatType(t.elem)}[]`;
  const mod = t.typmod;
  switch (t.name) {
    case 'int2': return 'smallint';
    case 'int4': return 'integer';
    case 'int8': return 'bigint';
    case 'float4': return 'real';
    case 'float8': return 'double precision';
    case 'bool': return 'boolean';
    case 'varchar': return mod >= 4 ? `character varying(${mod - 4})` : 'character varying';
    case 'bpchar': return mod >= 4 ? `character(${mod - 4})` : 'bpchar';
    case 'char': return '"char"';
    case 'numeric': return mod >= 4 ? `numeric(${numericPrecision(mod)},${numericScale(mod)})` : 'numeric';
    case 'timestamp': return 'timestamp without time zone';
    case 'timestamptz': return 'timestamp with time zone';
    case 'time': return 'time without time zone';
    default: return t.name;
  }
}
