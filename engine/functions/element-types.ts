/**
 * Polymorphic functions (PostgreSQL's anyelement / anyarray) are registered once per element
 * type listed here, so the binder's plain candidate matching resolves them.
 */
import { arrayOf, T, type PgType } from '../types/pg-type.js';

export const ELEMENT_TYPES: readonly PgType[] = [
  T.bool, T.int2, T.int4, T.int8, T.float4, T.float8, T.numeric, T.oid, T.text, T.varchar, T.bpchar, T.name, T.char,
  T.bytea, T.date, T.time, T.timestamp, T.timestamptz, T.interval, T.uuid, T.json, T.jsonb, T.aclitem,
];

/** Calls `register(elem, elem[])` for every element type. */
export function forEachElementType(register: (elem: PgType, array: PgType) => void): void {
  for (const elem of ELEMENT_TYPES) register(elem, arrayOf(elem));
}
