/**
 * Text I/O of regclass, regtype and regproc by name ('pg_class'::regclass). The names live in
 * the system catalog (engine/catalog/system/reg-names.ts), which installs the resolver; until
 * then, and for names it does not know, only numeric OIDs are accepted and shown.
 */
export interface RegNameResolver {
  /** The OID named by `text`, or undefined when there is no such object. */
  input(typeName: 'regclass' | 'regtype' | 'regproc', text: string): number | undefined;
  /** The name shown for `oid`, or undefined to show the number. */
  output(typeName: 'regclass' | 'regtype' | 'regproc', oid: number): string | undefined;
}

let resolver: RegNameResolver | undefined;

export function installRegNameResolver(r: RegNameResolver): void {
  resolver = r;
}

export const regNameResolver = (): RegNameResolver | undefined => resolver;
