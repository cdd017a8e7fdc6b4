/**
 * Stable OIDs. User objects get an OID hashed from their qualified name (FNV-1a into
 * 16384..2^31-1), so the same table has the same OID after a restart and in every session;
 * a collision (rare) probes to the next free OID, which depends only on the names seen first.
 * The emulated system objects use fixed OIDs: PostgreSQL's own where it has fixed ones.
 */

export const FIRST_USER_OID = 16384;
const RANGE = 2 ** 31 - FIRST_USER_OID;

/** pg_catalog's and information_schema's namespace OIDs. */
export const PG_CATALOG_NAMESPACE = 11;
export const INFORMATION_SCHEMA_NAMESPACE = 13000;
/** The bootstrap superuser's OID in PostgreSQL; Lakegate shows the session user with it. */
export const USER_OID = 10;

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** Hands out hashed OIDs; one allocator per process keeps them unique. */
export class OidAllocator {
  private readonly byName = new Map<string, number>();
  private readonly taken = new Set<number>();

  oidFor(key: string): number {
    let oid = this.byName.get(key);
    if (oid !== undefined) return oid;
    let h = fnv1a(key) % RANGE;
    while (this.taken.has(FIRST_USER_OID + h)) h = (h + 1) % RANGE;
    oid = FIRST_USER_OID + h;
    this.taken.add(oid);
    this.byName.set(key, oid);
    return oid;
  }
}

/** Key of a table or view (the same key RowDescription's table OID uses). */
export const relationKey = (catalog: string, schema: string, name: string): string => `${catalog}.${schema}.${name}`;
/** Key of a schema of a catalog (a pg_namespace row). */
export const namespaceKey = (catalog: string, schema: string): string => `namespace:${catalog}.${schema}`;
/** Key of a catalog (a pg_database row). */
export const databaseKey = (catalog: string): string => `database:${catalog}`;
/** Key of a function or operator of the registry, by its signature id ("lower(text)", "+(int4,int4)"). */
export const functionKey = (id: string): string => `function:${id}`;
/** Key of a pg_cast row. */
export const castKey = (source: string, target: string): string => `cast:${source}>${target}`;
/** Key of a role other than the session's own (pg_stat_activity.usesysid of other users' sessions). */
export const roleKey = (name: string): string => `role:${name}`;
