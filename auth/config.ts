/**
 * Loads the sign-in configuration: an auth config file (JSON) and/or separate files for the
 * rules, passwords and JWT settings. Returns null when nothing is configured (zero-config:
 * the server keeps trusting every client, and listens on 127.0.0.1 unless told otherwise).
 * Everything is checked here, so a broken configuration stops the server from starting.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Authenticator } from './authenticator.js';
import { ConnectionLimiter, parseConnectionLimits } from './connection-limits.js';
import { hbaAuthenticator, type HbaMethods } from './hba-authenticator.js';
import { parseHba, type HbaRule } from './hba.js';
import { parseJwtSettings } from './jwt-config.js';
import { certAuthenticator } from './methods/cert.js';
import { jwtAuthenticator } from './methods/jwt.js';
import { oauthBearerAuthenticator } from './methods/oauthbearer.js';
import { rejectAuthenticator } from './methods/reject.js';
import { scramAuthenticator } from './methods/scram-sha-256.js';
import { trustAuthenticator } from './methods/trust.js';
import { passwordFileLookup } from './password-file.js';

export interface AuthSources {
  /** JSON: { hba?, passwords?, jwt? (object or file), requireTls?, maxConnections?, reservedConnections?, reservedUsers?, userConnectionLimits?, defaultUserConnectionLimit? } */
  readonly configFile?: string;
  readonly hbaFile?: string;
  readonly passwordFile?: string;
  readonly jwtConfigFile?: string;
  /** Overrides the config file's maxConnections. */
  readonly maxConnections?: number;
  /** The TLS listener verifies client certificates (--tls-ca): enables the `cert` method and clientcert options. */
  readonly clientCertificates?: boolean;
}

export interface AuthSetup {
  /** null: no method configured, keep the server's default (trust). */
  readonly authenticate: Authenticator | null;
  readonly limiter: ConnectionLimiter | null;
}

/** Methods that take a secret from the client: a password or a bearer token. */
const SECRET_METHODS = new Set(['scram-sha-256', 'jwt', 'oauth']);

/**
 * `requireTls`: a `host` rule of a password or token method matches TLS connections only (as if
 * written `hostssl`), so a plaintext client never gets to send the secret; `hostnossl` rules of
 * those methods cannot be configured at all.
 */
function requiringTls(rule: HbaRule): HbaRule {
  if (!SECRET_METHODS.has(rule.method)) return rule;
  if (rule.type === 'hostnossl') throw new Error(`${rule.origin}: hostnossl ${rule.method} is not allowed with "requireTls": true`);
  return rule.type === 'host' ? { ...rule, type: 'hostssl' } : rule;
}

const readJson = (path: string): unknown => {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`${path}: ${(err as Error).message}`);
  }
};

export function loadAuthSetup(sources: AuthSources, log?: (message: string) => void): AuthSetup {
  let config: Record<string, unknown> = {};
  let base = process.cwd();
  if (sources.configFile) {
    const raw = readJson(sources.configFile);
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error(`${sources.configFile}: expected a JSON object`);
    config = raw as Record<string, unknown>;
    base = dirname(resolve(sources.configFile));
  }
  const fileIn = (key: string): string | undefined => {
    const v = config[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw new Error(`auth config: "${key}" must be a file name`);
    return resolve(base, v);
  };
  const hbaFile = sources.hbaFile ?? fileIn('hba');
  const passwordFile = sources.passwordFile ?? fileIn('passwords');
  const jwtRaw = sources.jwtConfigFile ? readJson(sources.jwtConfigFile) : typeof config.jwt === 'string' ? readJson(resolve(base, config.jwt)) : config.jwt;

  const jwtSettings = jwtRaw === undefined ? undefined : parseJwtSettings(jwtRaw);
  const methods: HbaMethods = {
    trust: trustAuthenticator,
    reject: rejectAuthenticator,
    ...(passwordFile ? { 'scram-sha-256': scramAuthenticator({ lookup: passwordFileLookup(passwordFile), log }) } : {}),
    ...(jwtSettings ? { jwt: jwtAuthenticator({ settings: jwtSettings, log }), oauth: oauthBearerAuthenticator({ settings: jwtSettings, log }) } : {}),
    ...(sources.clientCertificates ? { cert: certAuthenticator({ log }) } : {}),
  };

  let rules: HbaRule[] | null = null;
  if (hbaFile) rules = parseHba(readFileSync(hbaFile, 'utf8'), hbaFile);
  else if (passwordFile && jwtRaw !== undefined) throw new Error('with both passwords and JWT configured, give the rules (--hba) that choose between them');
  else if (passwordFile) rules = parseHba('host all all all scram-sha-256', 'default rules');
  else if (jwtRaw !== undefined) rules = parseHba('host all all all jwt', 'default rules');

  if (config.requireTls !== undefined && typeof config.requireTls !== 'boolean') throw new Error('auth config: "requireTls" must be true or false');
  if (rules && config.requireTls === true) rules = rules.map(requiringTls);

  const limits = parseConnectionLimits({ ...config, ...(sources.maxConnections !== undefined ? { maxConnections: sources.maxConnections } : {}) });
  return {
    authenticate: rules ? hbaAuthenticator(rules, methods, log) : null,
    limiter: limits ? new ConnectionLimiter(limits) : null,
  };
}
