import { SqlState } from '../engine/errors/index.js';
import type { Authenticator } from './authenticator.js';
import { describeConnection } from './connection-info.js';
import { authFatal } from './errors.js';
import { matchHba, type HbaMethod, type HbaRule, type OAuthRuleOptions } from './hba.js';
import { checkCertificateName, noValidCertificate, verifiedCertificateName } from './methods/cert.js';
import { isTls } from './scram/channel-binding.js';

const CONFIGURED_BY: Readonly<Record<HbaMethod, string>> = {
  trust: '',
  reject: '',
  'scram-sha-256': 'give --passwords',
  jwt: 'give --jwt-config',
  oauth: 'give --jwt-config',
  cert: 'give --tls-ca',
};

/**
 * The methods by name; `oauth` is made per rule from the rule's issuer and scope (it may throw
 * when they do not fit its configuration).
 */
export type HbaMethods = Readonly<Partial<Record<Exclude<HbaMethod, 'oauth'>, Authenticator>>> & {
  readonly oauth?: (options: OAuthRuleOptions) => Authenticator;
};

/**
 * Chooses the method per connection by the first matching rule; no rule → FATAL 28000. A rule's
 * clientcert option is checked as PostgreSQL does: a verified client certificate before the
 * method runs, and for verify-full its CN = the user after the method succeeded.
 */
export function hbaAuthenticator(
  rules: readonly HbaRule[],
  methods: HbaMethods,
  log?: (message: string) => void,
): Authenticator {
  const chosen = new Map<HbaRule, Authenticator>();
  for (const rule of rules) {
    if (!methods[rule.method]) throw new Error(`${rule.origin}: method "${rule.method}" is not configured (${CONFIGURED_BY[rule.method]})`);
    if (rule.clientCert && !methods.cert) throw new Error(`${rule.origin}: clientcert needs client certificate verification (give --tls-ca)`);
    try {
      chosen.set(rule, rule.method === 'oauth' ? methods.oauth!(rule.oauth!) : methods[rule.method]!);
    } catch (err) {
      throw new Error(`${rule.origin}: ${(err as Error).message}`);
    }
  }
  return async (startup, exchange) => {
    const socket = exchange.socket;
    const rule = matchHba(rules, { tls: isTls(socket), address: socket.remoteAddress ?? '', user: startup.user, database: startup.database });
    if (!rule) throw authFatal(SqlState.INVALID_AUTHORIZATION_SPECIFICATION, `no pg_hba.conf entry for ${describeConnection(startup, socket)}`);
    if (rule.clientCert && verifiedCertificateName(socket) === null) throw noValidCertificate();
    const principal = await chosen.get(rule)!(startup, exchange);
    if (rule.clientCert === 'verify-full' && rule.method !== 'cert') checkCertificateName(socket, startup.user, log);
    return principal;
  };
}
