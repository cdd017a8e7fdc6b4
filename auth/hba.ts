/**
 * pg_hba-style rules: `TYPE DATABASE USER ADDRESS METHOD`, one per line, first match wins.
 *   TYPE      host (TLS or not) | hostssl | hostnossl
 *   DATABASE  all | sameuser | name[,name…]
 *   USER      all | name[,name…]
 *   ADDRESS   all | CIDR (10.0.0.0/8, ::1/128) | a single address
 *   METHOD    trust | scram-sha-256 | jwt | oauth | cert | reject
 *   OPTIONS   clientcert=verify-ca | clientcert=verify-full (hostssl lines only; cert implies verify-full)
 *             issuer=URL scope="a b" (oauth only, both required, as in PostgreSQL 18)
 * `#` starts a comment. Names and option values may be double-quoted (`scope="openid db"`);
 * `local` lines do not apply (no Unix socket).
 */
import { BlockList, isIP } from 'node:net';

export type HbaMethod = 'trust' | 'scram-sha-256' | 'jwt' | 'oauth' | 'cert' | 'reject';
const METHODS: readonly HbaMethod[] = ['trust', 'scram-sha-256', 'jwt', 'oauth', 'cert', 'reject'];

/** PostgreSQL's clientcert: verify-ca needs a certificate signed by the CA, verify-full also its CN = the user. */
export type ClientCertCheck = 'verify-ca' | 'verify-full';

/** The `oauth` method's options: the issuer (or its discovery URI) and the scopes a token must carry. */
export interface OAuthRuleOptions {
  readonly issuer: string;
  /** Space-separated, possibly empty (`scope=""`). */
  readonly scope: string;
}

export interface HbaRule {
  readonly type: 'host' | 'hostssl' | 'hostnossl';
  readonly databases: readonly string[] | 'all';
  readonly users: readonly string[] | 'all';
  /** null: every address. */
  readonly addresses: BlockList | null;
  readonly method: HbaMethod;
  /** Client certificate required before the method runs (always verify-full for `cert`), or null. */
  readonly clientCert: ClientCertCheck | null;
  /** The `oauth` options; null for every other method. */
  readonly oauth: OAuthRuleOptions | null;
  /** Where the rule came from, e.g. `hba.conf:3`. */
  readonly origin: string;
}

export interface HbaRequest {
  readonly tls: boolean;
  readonly address: string;
  readonly user: string;
  readonly database: string;
}

/**
 * Splits a line into fields; double quotes keep spaces, commas and keywords literal, and a
 * field may mix quoted and unquoted parts (`scope="openid db"` is the one field `scope=openid db`).
 */
function fields(line: string): string[] {
  return [...line.matchAll(/(?:"(?:[^"]|"")*"|[^\s"]+)+/g)].map((m) =>
    m[0].replace(/"((?:[^"]|"")*)"/g, (_quoted, inner: string) => inner.replace(/""/g, '"')),
  );
}

function names(field: string): readonly string[] | 'all' {
  if (field === 'all') return 'all';
  const list = field.split(',').filter((n) => n !== '');
  for (const n of list) if (n.startsWith('+') || n.startsWith('@')) throw new Error(`"${n}": groups and include files are not supported`);
  return list;
}

/** IPv4-mapped IPv6 addresses (::ffff:1.2.3.4) count as IPv4, as sockets report them. */
export function normalizeAddress(address: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m ? m[1]! : address;
}

function addressList(field: string): BlockList | null {
  if (field === 'all') return null;
  const [ip, bits] = field.split('/');
  const family = isIP(ip ?? '');
  if (family === 0) throw new Error(`invalid address "${field}" (hostnames are not supported)`);
  const prefix = bits === undefined ? (family === 4 ? 32 : 128) : Number(bits);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128)) throw new Error(`invalid CIDR mask in "${field}"`);
  const list = new BlockList();
  list.addSubnet(ip!, prefix, family === 4 ? 'ipv4' : 'ipv6');
  return list;
}

interface RuleOptions {
  readonly clientCert: ClientCertCheck | null;
  readonly oauth: OAuthRuleOptions | null;
}

/** Options PostgreSQL 18 takes on `oauth` lines that have no counterpart here. */
const UNSUPPORTED_OAUTH_OPTIONS: Readonly<Record<string, string>> = {
  validator: 'tokens are validated with the JWT settings (--jwt-config): a signature or introspection',
  map: 'there is no pg_ident map; the JWT settings\' userMappingPattern maps the user claim',
  delegate_ident_mapping: 'the user claim (through userMappingPattern) must name the user',
};

/**
 * The options after the method, with PostgreSQL's rules: clientcert on hostssl only (`cert`
 * accepts only verify-full); issuer and scope on oauth only, both required (scope is checked first).
 */
function ruleOptions(type: HbaRule['type'], method: HbaMethod, options: readonly string[]): RuleOptions {
  let clientCert: ClientCertCheck | null = method === 'cert' ? 'verify-full' : null;
  let issuer: string | undefined;
  let scope: string | undefined;
  for (const option of options) {
    const [name, value] = option.split(/=(.*)/s);
    if (value === undefined) throw new Error(`authentication option not in name=value format: ${option}`);
    if (name === 'issuer' || name === 'scope') {
      if (method !== 'oauth') throw new Error(`authentication option "${name}" is only valid for authentication methods oauth`);
      if (name === 'issuer') issuer = value;
      else scope = value;
      continue;
    }
    if (method === 'oauth' && name !== undefined && Object.hasOwn(UNSUPPORTED_OAUTH_OPTIONS, name)) {
      throw new Error(`authentication option "${name}" is not supported (${UNSUPPORTED_OAUTH_OPTIONS[name]})`);
    }
    if (name !== 'clientcert') throw new Error(`unrecognized authentication option name: "${name}"`);
    if (type !== 'hostssl') throw new Error('clientcert can only be configured for "hostssl" rows');
    if (value !== 'verify-ca' && value !== 'verify-full') throw new Error(`invalid value for clientcert: "${value}"`);
    if (method === 'cert' && value !== 'verify-full') throw new Error('clientcert only accepts "verify-full" when using "cert" authentication');
    clientCert = value;
  }
  if (method !== 'oauth') return { clientCert, oauth: null };
  if (scope === undefined) throw new Error('authentication method "oauth" requires argument "scope" to be set');
  if (issuer === undefined || issuer === '') throw new Error('authentication method "oauth" requires argument "issuer" to be set');
  if (type === 'hostnossl') throw new Error('oauth authentication is not supported on hostnossl connections (bearer tokens need TLS, or a host line)');
  return { clientCert, oauth: { issuer, scope } };
}

/** Parses the rules; throws naming the first bad line. */
export function parseHba(text: string, source = 'hba'): HbaRule[] {
  const rules: HbaRule[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const origin = `${source}:${i + 1}`;
    const f = fields(raw.replace(/#.*$/, ''));
    if (f.length === 0) return;
    try {
      if (f[0] === 'local') return;
      if (f[0] !== 'host' && f[0] !== 'hostssl' && f[0] !== 'hostnossl') throw new Error(`invalid connection type "${f[0]}"`);
      if (f.length < 5) throw new Error('expected TYPE DATABASE USER ADDRESS METHOD [OPTIONS]');
      const method = f[4] as HbaMethod;
      if (!METHODS.includes(method)) throw new Error(`invalid authentication method "${f[4]}" (expected ${METHODS.join(', ')})`);
      if (method === 'cert' && f[0] !== 'hostssl') throw new Error('cert authentication is only supported on hostssl connections');
      const { clientCert, oauth } = ruleOptions(f[0], method, f.slice(5));
      rules.push({ type: f[0], databases: names(f[1]!), users: names(f[2]!), addresses: addressList(f[3]!), method, clientCert, oauth, origin });
    } catch (err) {
      throw new Error(`${origin}: ${(err as Error).message}`);
    }
  });
  return rules;
}

/** The first rule that applies to the connection, or null. */
export function matchHba(rules: readonly HbaRule[], req: HbaRequest): HbaRule | null {
  const address = normalizeAddress(req.address);
  const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
  for (const rule of rules) {
    if (rule.type === 'hostssl' && !req.tls) continue;
    if (rule.type === 'hostnossl' && req.tls) continue;
    if (rule.databases !== 'all' && !rule.databases.some((d) => d === req.database || (d === 'sameuser' && req.database === req.user))) continue;
    if (rule.users !== 'all' && !rule.users.includes(req.user)) continue;
    if (rule.addresses && !(isIP(address) !== 0 && rule.addresses.check(address, family))) continue;
    return rule;
  }
  return null;
}
