/**
 * OAuth 2.0 sign-in through the SASL mechanism OAUTHBEARER (RFC 7628) as PostgreSQL 18 speaks
 * it (pg_hba method `oauth`). The client's initial response is a GS2 header and kvpairs,
 * `n,,\x01auth=Bearer <token>\x01\x01`; the token is verified like the `jwt` method's
 * (auth/bearer-token.ts: a signed JWT, or any token by introspection), and must also grant every
 * scope of the rule (the introspection answer's `scope` counts like the JWT claim). Success is followed by
 * AuthenticationOk directly (no AuthenticationSASLFinal). A failed or empty token (discovery)
 * gets AuthenticationSASLContinue with the RFC 7628 §3.2.2 error JSON naming the discovery
 * document and the scopes; the client must answer with a single \x01, and the exchange ends
 * with FATAL 28000 `OAuth bearer authentication failed for user "x"`. Malformed messages are
 * FATAL 08P01 `malformed OAUTHBEARER message` with PostgreSQL's details.
 */
import type { JWTPayload } from 'jose';
import { SqlState } from '../../engine/errors/index.js';
import type { AuthExchange, Authenticator, Principal } from '../authenticator.js';
import { TokenRejected, verifyBearerToken } from '../bearer-token.js';
import { authFatal, protocolViolation } from '../errors.js';
import type { OAuthRuleOptions } from '../hba.js';
import type { JwtSettings } from '../jwt-config.js';
import { AuthRequest, mechanismList, parseSaslInitialResponse } from '../sasl.js';

export const OAUTHBEARER = 'OAUTHBEARER';
/** PostgreSQL's PG_MAX_AUTH_TOKEN_LENGTH, the limit on any OAUTHBEARER message. */
export const MAX_OAUTHBEARER_MESSAGE = 65535;
const KVSEP = '\x01';
/** RFC 6750 §2.1 b64token. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
const KEY = /^[A-Za-z]+$/;
/** RFC 7628 §3.1 value: VCHAR / SP / HTAB / CR / LF. */
const VALUE = /^[\x21-\x7e \t\r\n]*$/;

export interface OAuthBearerOptions {
  readonly settings: JwtSettings;
  readonly log?: (message: string) => void;
  /** The verification time; tests set it for determinism. */
  readonly now?: () => Date;
}

const malformed = (detail: string) => protocolViolation('malformed OAUTHBEARER message', detail);

/** Printable ASCII as 'c', anything else as 0xNN (PostgreSQL's sanitize_char). */
const shown = (c: string | undefined) => {
  const code = c === undefined ? 0 : c.charCodeAt(0);
  return code >= 0x21 && code <= 0x7e ? `'${c}'` : `0x${code.toString(16).padStart(2, '0')}`;
};

/** Parses the client's initial response (RFC 7628 §3.1); returns the `auth` value. */
export function parseClientResponse(message: string): string {
  if (message === '') throw malformed('The message is empty.');
  if (message.includes('\0')) throw malformed('Message length does not match input length.');
  const flag = message[0];
  if (flag === 'p') throw malformed('The server does not support channel binding for OAuth, but the client message includes channel binding data.');
  if (flag !== 'n' && flag !== 'y') throw malformed(`Unexpected channel-binding flag "${shown(flag)}".`);
  if (message[1] !== ',') throw malformed(`Comma expected, but found character "${shown(message[1])}".`);
  if (message[2] === 'a') throw authFatal(SqlState.FEATURE_NOT_SUPPORTED, 'client uses authorization identity, but it is not supported');
  if (message[2] !== ',') throw malformed(`Unexpected attribute "${shown(message[2])}" in client-first-message.`);
  if (message[3] !== KVSEP) throw malformed(`Key-value separator expected, but found character "${shown(message[3])}".`);
  let pos = 4;
  let auth: string | null = null;
  for (;;) {
    const end = message.indexOf(KVSEP, pos);
    if (end < 0) throw malformed(pos === message.length ? 'Message did not contain a final terminator.' : 'Message contains an unterminated key/value pair.');
    if (end === pos) {
      if (auth === null) throw malformed('Message does not contain an auth value.');
      if (end + 1 !== message.length) throw malformed('Message contains additional data after the final terminator.');
      return auth;
    }
    const pair = message.slice(pos, end);
    const eq = pair.indexOf('=');
    if (eq < 0) throw malformed('Message contains a key without a value.');
    const key = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    if (key === '') throw malformed('Message contains an empty key name.');
    if (!KEY.test(key)) throw malformed('Message contains an invalid key name.');
    if (!VALUE.test(value)) throw malformed('Message contains an invalid value.');
    if (key === 'auth') {
      if (auth !== null) throw malformed('Message contains multiple auth values.');
      auth = value;
    }
    pos = end + 1;
  }
}

/**
 * The token in an `auth` value (`Bearer <b64token>`, scheme case-insensitive), or null: an
 * empty value is a discovery request; anything else that is not a bearer token is a failure
 * whose reason is only logged (PostgreSQL logs these without telling the client).
 */
function bearerToken(auth: string, log: (reason: string) => void): string | null {
  if (auth === '') return null;
  if (auth.slice(0, 7).toLowerCase() !== 'bearer ') {
    log('malformed OAuth bearer token: not the Bearer scheme');
    return null;
  }
  const token = auth.slice(7).replace(/^ +/, '');
  if (!B64TOKEN.test(token)) {
    log(token === '' ? 'malformed OAuth bearer token: the token is empty' : 'malformed OAuth bearer token: not in the correct format');
    return null;
  }
  return token;
}

/** Scopes a token grants: `scope` (space-separated, RFC 9068) or `scp` (array or string). */
function grantedScopes(payload: JWTPayload): Set<string> {
  const granted = new Set<string>();
  for (const claim of [payload.scope, payload.scp]) {
    if (typeof claim === 'string') for (const s of claim.split(' ')) granted.add(s);
    else if (Array.isArray(claim)) for (const s of claim) if (typeof s === 'string') granted.add(s);
  }
  return granted;
}

/** The discovery URI sent to clients: the issuer as given when it is already a /.well-known/ URI. */
const discoveryUri = (issuer: string) => (issuer.includes('/.well-known/') ? issuer : `${issuer}/.well-known/openid-configuration`);

/**
 * The rule's issuer must name the JWT settings' issuer: the identifier itself, or one of its
 * discovery URIs (OpenID Connect: issuer + /.well-known/openid-configuration; RFC 8414:
 * /.well-known/oauth-authorization-server or /.well-known/openid-configuration inserted
 * between the issuer's origin and path).
 */
function checkIssuer(ruleIssuer: string, settings: JwtSettings): void {
  const iss = settings.issuer;
  let accepted = [iss, `${iss}/.well-known/openid-configuration`];
  if (URL.canParse(iss)) {
    const url = new URL(iss);
    const path = url.pathname === '/' ? '' : url.pathname;
    accepted = [...accepted, ...['oauth-authorization-server', 'openid-configuration'].map((w) => `${url.origin}/.well-known/${w}${path}`)];
  }
  if (!accepted.includes(ruleIssuer)) {
    throw new Error(`oauth issuer "${ruleIssuer}" does not name the JWT settings' issuer "${iss}" (give it, or its discovery URI)`);
  }
}

/**
 * The `oauth` method for one rule's options; throws at startup when the rule's issuer does
 * not match the JWT settings.
 */
export function oauthBearerAuthenticator(options: OAuthBearerOptions): (rule: OAuthRuleOptions) => Authenticator {
  const s = options.settings;
  return (rule) => {
    checkIssuer(rule.issuer, s);
    const required = rule.scope.split(' ').filter((scope) => scope !== '');
    const errorJson = Buffer.from(JSON.stringify({ status: 'invalid_token', 'openid-configuration': discoveryUri(rule.issuer), scope: rule.scope }));

    return async (startup, exchange) => {
      const log = (reason: string) => options.log?.(`OAuth bearer authentication failed for user "${startup.user}": ${reason}`);
      exchange.request(AuthRequest.SASL, mechanismList([OAUTHBEARER]));
      const initial = parseSaslInitialResponse(await exchange.receive('SASL'), MAX_OAUTHBEARER_MESSAGE);
      if (initial.mechanism !== OAUTHBEARER) throw protocolViolation('client selected an invalid SASL authentication mechanism');
      let data = initial.data;
      if (data === null) {
        // No initial response: an empty challenge asks for it (PostgreSQL's behaviour).
        exchange.request(AuthRequest.SASLContinue, Buffer.alloc(0));
        data = await receiveResponse(exchange);
      }
      const token = bearerToken(parseClientResponse(data.toString('latin1')), log);

      let principal: Principal | null = null;
      if (token !== null) {
        try {
          const verified = await verifyBearerToken(token, s, startup.user, options.now?.());
          const granted = grantedScopes(verified.payload);
          const missing = required.filter((scope) => !granted.has(scope));
          if (missing.length > 0) throw new TokenRejected(`scope ${missing.join(' ')} not granted`);
          principal = verified.principal;
        } catch (err) {
          if (!(err instanceof TokenRejected)) throw err;
          log(err.message);
        }
      }
      if (principal) return principal;

      exchange.request(AuthRequest.SASLContinue, errorJson);
      const dummy = await receiveResponse(exchange);
      if (dummy.length === 0) throw malformed('The message is empty.');
      if (dummy.length !== 1 || dummy[0] !== 0x01) throw malformed('Client did not send a kvsep response.');
      throw authFatal(SqlState.INVALID_AUTHORIZATION_SPECIFICATION, `OAuth bearer authentication failed for user "${startup.user}"`);
    };
  };
}

/** A SASLResponse body, bounded like every OAUTHBEARER message. */
async function receiveResponse(exchange: AuthExchange): Promise<Buffer> {
  const body = await exchange.receive('SASL');
  if (body.length > MAX_OAUTHBEARER_MESSAGE) throw protocolViolation('SASL message too long', `The limit is ${MAX_OAUTHBEARER_MESSAGE} bytes.`);
  return body;
}
