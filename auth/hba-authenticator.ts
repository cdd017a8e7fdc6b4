import { SqlState } from '../engine/errors/index.js';
import type { Authenticator } from './authenticator.js';
import { describeConnection } from './connection-info.js';
import { authFatal } from './errors.js';
import { matchHba, type HbaMethod, type HbaRule } from './hba.js';
import { isTls } from './scram/channel-binding.js';

/** Chooses the method per connection by the first matching rule; no rule → FATAL 28000. */
export function hbaAuthenticator(rules: readonly HbaRule[], methods: Readonly<Partial<Record<HbaMethod, Authenticator>>>): Authenticator {
  for (const rule of rules) {
    if (!methods[rule.method]) throw new Error(`${rule.origin}: method "${rule.method}" is not configured (${rule.method === 'jwt' ? 'give --jwt-config' : 'give --passwords'})`);
  }
  return async (startup, exchange) => {
    const socket = exchange.socket;
    const rule = matchHba(rules, { tls: isTls(socket), address: socket.remoteAddress ?? '', user: startup.user, database: startup.database });
    if (!rule) throw authFatal(SqlState.INVALID_AUTHORIZATION_SPECIFICATION, `no pg_hba.conf entry for ${describeConnection(startup, socket)}`);
    return methods[rule.method]!(startup, exchange);
  };
}
