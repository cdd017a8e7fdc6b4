/**
 * Sign-in fuzzing support (`auth/sasl.fuzz.test.ts` in process, `server/sign-in.fuzz.test.ts`
 * over the wire): scripted SASL clients for SCRAM-SHA-256 and OAUTHBEARER. Each answers the
 * server's Authentication requests as a real client does, or with SASL-aware mutants of those
 * messages (GS2 headers and channel-binding flags, attributes, nonces, proofs, base64, kvpairs,
 * the mechanism name and inner length of SASLInitialResponse), and judges the outcome:
 *  - AuthenticationOk must come for an exchange sent as built with the right credentials, and may
 *    come only for a genuinely valid one, checked here against RFC 5802 / RFC 7628 and
 *    PostgreSQL's rules rather than by the server's own parsers;
 *  - a failure is FATAL with the SQLSTATE the messages call for: 28P01 (SCRAM) or 28000
 *    (OAUTHBEARER) for well-formed messages with wrong credentials, else 08P01 or 0A000;
 *  - the server's own messages are right: a well-formed server-first-message extending the
 *    client's nonce, the SCRAM server signature, the RFC 7628 error JSON.
 */
import { pbkdf2Sync } from 'node:crypto';
import { Socket } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';
import { SqlError } from '../../engine/errors/index.js';
import type { AuthExchange, Authenticator, StartupInfo } from '../../auth/authenticator.js';
import { parseJwtSettings, type JwtSettings } from '../../auth/jwt-config.js';
import { MAX_OAUTHBEARER_MESSAGE, OAUTHBEARER } from '../../auth/methods/oauthbearer.js';
import { MAX_SCRAM_MESSAGE } from '../../auth/methods/scram-sha-256.js';
import { AuthRequest } from '../../auth/sasl.js';
import { hmac, sha256 } from '../../auth/scram/verifier.js';
import { byteMutators, capturedSaslInitial, crashesOf, Prng } from './fuzz.js';

export const SCRAM = 'SCRAM-SHA-256';

/** How an exchange ended: AuthenticationOk, an error (severity and SQLSTATE), or a close without either. */
export interface SaslOutcome {
  readonly ok: boolean;
  readonly error: { readonly severity: string; readonly code: string; readonly message: string } | null;
}

/** A SASLInitialResponse body: mechanism, NUL, Int32 length (−1: no data), data. */
export function initialResponse(mechanism: string, data: Buffer | null): Buffer {
  const length = Buffer.alloc(4);
  length.writeInt32BE(data === null ? -1 : data.length);
  return Buffer.concat([Buffer.from(`${mechanism}\0`, 'latin1'), length, data ?? Buffer.alloc(0)]);
}

/** A SASLInitialResponse body taken apart without any check; null when it has no NUL and length word. */
function splitInitialResponse(body: Buffer): { mechanism: Buffer; length: number; data: Buffer } | null {
  const nul = body.indexOf(0);
  if (nul < 0 || body.length < nul + 5) return null;
  return { mechanism: body.subarray(0, nul), length: body.readInt32BE(nul + 1), data: body.subarray(nul + 5) };
}

/** The data of a SASLInitialResponse for `mechanism` whose length word is right (null for −1 and nothing after it); undefined otherwise. */
function initialData(body: Buffer, mechanism: string, maxData: number): Buffer | null | undefined {
  const parts = splitInitialResponse(body);
  if (!parts || parts.mechanism.toString('latin1') !== mechanism) return undefined;
  if (parts.length === -1 && parts.data.length === 0) return null;
  return parts.length === parts.data.length && parts.length <= maxData ? parts.data : undefined;
}

/** The vocabulary of a SASL message: its field separator and whole fields worth inserting. */
export interface Dialect {
  readonly separator: string;
  readonly fields: readonly string[];
}

const long = (n: number) => 'x'.repeat(n);

export const scramDialect: Dialect = {
  separator: ',',
  fields: [
    'n', 'y', 'p=tls-server-end-point', 'p=tls-unique', 'p=', 'a=alice', 'a=', 'n=', 'n=*', 'n=alice', 'n=a=2Cb=3D', 'm=ext', 'x=ext', 'x', '=', '',
    'r=', 'r=\x7f', 'r=é', `r=${long(1100)}`, 'c=biws', 'c=eSws', 'c=cD10bHMtc2VydmVyLWVuZC1wb2ludCws', 'c=biws=', 'c=', 'p=', 'p=AAAA',
    `p=${'A'.repeat(43)}=`, `p=${'A'.repeat(44)}`, 'p=not*base64!', 's=QSXCR+Q6sek8bf92', 'i=4096', 'v=', 'e=other-error',
  ],
};

export const oauthDialect: Dialect = {
  separator: '\x01',
  fields: [
    'n,,', 'y,,', 'p=tls-server-end-point,,', 'n,a=alice,', 'n,', '', 'auth=', 'auth=Bearer ', 'auth=bearer abc', 'auth=BEARER  abc', 'auth=Basic YWxpY2U6cHc=',
    'auth=Bearer a.b.c', 'auth=Bearer ab~c', 'auth=Bearer ab,c', `auth=Bearer ${long(16 * 1024 + 1)}`, 'host=localhost', 'port=5432', 'AUTH=Bearer x', '=v', 'k', 'k=\x00',
    'k=\x80', 'k=\x7f', 'k=a=b', 'k1=v', `k=${long(MAX_OAUTHBEARER_MESSAGE)}`,
  ],
};

/** Values for one field's value: empty, separators, NUL, non-ASCII, broken base64, long. */
const fieldValues = ['', '=', ',', '\x01', '\x00', '\xff', 'é', '\x7f', 'AAA', '====', 'QUJD', long(40), long(1100)];

/** One field-level change: a field dropped, repeated, swapped, replaced or inserted, or its value replaced. */
function mutateFields(prng: Prng, data: Buffer, dialect: Dialect): Buffer {
  const fields = data.toString('latin1').split(dialect.separator);
  const i = prng.int(fields.length);
  const word = () => prng.pick(dialect.fields);
  switch (prng.int(6)) {
    case 0:
      fields.splice(i, 1);
      break;
    case 1:
      fields.splice(i, 0, fields[i]!);
      break;
    case 2: {
      const j = prng.int(fields.length);
      [fields[i], fields[j]] = [fields[j]!, fields[i]!];
      break;
    }
    case 3:
      fields[i] = word();
      break;
    case 4:
      fields.splice(i, 0, word());
      break;
    default: {
      const eq = fields[i]!.indexOf('=');
      fields[i] = `${eq < 0 ? fields[i] : fields[i]!.slice(0, eq + 1)}${prng.pick(fieldValues)}`;
    }
  }
  return Buffer.from(fields.join(dialect.separator), 'latin1');
}

/** One to three stacked changes of a SASL message: field-level or byte-level. */
export function mutateData(prng: Prng, data: Buffer, dialect: Dialect): Buffer {
  let out = data;
  for (let n = 1 + prng.int(3); n > 0; n--) out = prng.chance(0.6) ? mutateFields(prng, out, dialect) : prng.pick(byteMutators)(prng, out);
  return out;
}

const mechanisms = [SCRAM, `${SCRAM}-PLUS`, OAUTHBEARER, 'scram-sha-256', 'SCRAM-SHA-1', 'PLAIN', '', 'OAUTHBEARER\x01'];
const innerLengths = (n: number) => [-1, -2, 0, n - 1, n + 1, 0x7fffffff, -0x80000000, MAX_SCRAM_MESSAGE + 1, MAX_OAUTHBEARER_MESSAGE + 1];

/** A mutant of a SASLInitialResponse body: its data (length kept right) 70 %, its mechanism 15 %, its length word 15 %. */
export function mutateInitialResponse(prng: Prng, body: Buffer, dialect: Dialect): Buffer {
  const parts = splitInitialResponse(body);
  if (!parts) return prng.pick(byteMutators)(prng, body);
  const r = prng.next();
  if (r < 0.7) return initialResponse(parts.mechanism.toString('latin1'), mutateData(prng, parts.data, dialect));
  if (r < 0.85) return Buffer.concat([Buffer.from(`${prng.pick(mechanisms)}\0`, 'latin1'), body.subarray(parts.mechanism.length + 1)]);
  const out = Buffer.from(body);
  out.writeInt32BE(prng.pick(innerLengths(parts.data.length)), parts.mechanism.length + 1);
  return out;
}

const STRICT_B64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });
const isUtf8 = (b: Buffer) => {
  try {
    utf8.decode(b);
    return true;
  } catch {
    return false;
  }
};

/**
 * A client for one exchange. `answer` gives the body of the 'p' message answering an
 * Authentication request, or null when it has nothing to send: after SASLFinal, or when it
 * gives up on a server message it finds wrong (the connection then ends).
 */
export abstract class SaslClient {
  /** What was sent and received, for a failure report. */
  readonly transcript: string[] = [];
  /** Something other than what a real client builds was sent: any allowed failure may follow. */
  protected mutated = false;
  /** What the client found wrong in the server's messages. */
  protected problem: string | null = null;
  /** Bodies the client sent, in order (the server's view: see `serverSaw`). */
  protected readonly sent: (Buffer | null)[] = [];

  protected constructor(
    protected readonly prng: Prng,
    readonly user: string,
    /** Chance that a message is mutated. */
    protected readonly rate: number,
  ) {}

  /** SQLSTATEs of a failure after mutated messages. */
  protected abstract readonly allowedCodes: readonly string[];
  /** The SQLSTATE of a well-formed exchange with wrong credentials. */
  protected abstract readonly refusedCode: string;
  /** Whether the credentials are right (then an exchange sent as built must succeed). */
  protected abstract readonly credentialsValid: boolean;

  abstract answer(code: number, payload: Buffer): Buffer | null;

  /**
   * Whether the messages the server saw make a genuinely valid exchange with the right
   * credentials.
   */
  protected abstract acceptable(): boolean;

  /** The first message sent (a SASLInitialResponse body): what a `scram-` or `oauthbearer-` crash file holds. */
  get firstMessage(): Buffer {
    return this.sent[0] ?? Buffer.alloc(0);
  }

  /** The server saw `body` (a complete 'p' message) instead of the last message sent, or null: no such message. */
  serverSaw(body: Buffer | null): void {
    this.mutated = true;
    this.sent[this.sent.length - 1] = body;
  }

  protected send(body: Buffer, built: Buffer): Buffer {
    if (!body.equals(built)) this.mutated = true;
    this.sent.push(body);
    this.transcript.push(`→ ${body.toString('hex')}`);
    return body;
  }

  protected unexpected(what: string): null {
    this.problem ??= what;
    return null;
  }

  /** What is wrong with the outcome (null: nothing). `silentAllowed`: the framing was broken, so a close without an error is fine. */
  verdict(outcome: SaslOutcome, silentAllowed = false): string | null {
    if (this.problem) return this.problem;
    if (outcome.ok) return this.acceptable() ? null : 'AuthenticationOk for an exchange that is not valid';
    const e = outcome.error;
    if (!this.mutated && this.credentialsValid) return `a valid exchange was refused: ${JSON.stringify(e)}`;
    if (e === null) return silentAllowed ? null : 'the exchange ended without an error';
    if (e.severity !== 'FATAL') return `a ${e.severity} ended the exchange: ${JSON.stringify(e)}`;
    if (!this.mutated) return e.code === this.refusedCode ? null : `expected ${this.refusedCode} for well-formed messages with wrong credentials, got ${JSON.stringify(e)}`;
    return this.allowedCodes.includes(e.code) ? null : `SQLSTATE ${e.code} is not one of ${this.allowedCodes.join(', ')}: ${JSON.stringify(e)}`;
  }
}

export interface ScramCredentials {
  readonly user: string;
  readonly password: string;
  /** Whether the password is the user's. */
  readonly valid: boolean;
}

/** Client-first-messages as real clients build them: libpq (`n=`; `y` when it could bind but was not offered -PLUS), node-postgres and pgJDBC (`n=*`). */
const builtClientFirst = (nonce: string) => [`n,,n=,r=${nonce}`, `y,,n=,r=${nonce}`, `n,,n=*,r=${nonce}`].map((t) => initialResponse(SCRAM, Buffer.from(t)));

/**
 * RFC 5802 client-first-message as PostgreSQL reads it: n or y, no authzid, n= (ignored), a
 * printable nonce, then attribute extensions (each read with the comma after it, so one
 * trailing comma is allowed).
 */
const CLIENT_FIRST = /^[ny],,n=[^,]*,r=([\x21-\x2b\x2d-\x7e]+)(?:,[A-Za-z]=[^,]*)*,?$/;
const SERVER_FIRST = /^r=([\x21-\x2b\x2d-\x7e]+),s=([A-Za-z0-9+/]+=*),i=(\d+)$/;
const CLIENT_FINAL = /^c=([^,]*),r=([^,]*),p=([^,]*)$/;

const saltedPasswords = new Map<string, Buffer>();
function saltedPassword(password: string, salt: string, iterations: number): Buffer {
  const key = `${password}\0${salt}\0${iterations}`;
  let salted = saltedPasswords.get(key);
  if (!salted) saltedPasswords.set(key, (salted = pbkdf2Sync(password, Buffer.from(salt, 'base64'), iterations, 32, 'sha256')));
  return salted;
}

/** SCRAM-SHA-256 over plaintext (no channel binding offered). */
export class ScramClient extends SaslClient {
  protected readonly allowedCodes = ['08P01', '28P01', '0A000'];
  protected readonly refusedCode = '28P01';
  protected readonly credentialsValid: boolean;
  /** The client-final-message built for the server-first-message, before any mutation. */
  private builtFinal: string | null = null;
  private serverSignature: string | null = null;

  /** `first`: the SASLInitialResponse body to send (built when absent); it counts as mutated when it is not one a real client builds. */
  constructor(
    prng: Prng,
    private readonly credentials: ScramCredentials,
    rate: number,
    private readonly first?: Buffer,
  ) {
    super(prng, credentials.user, rate);
    this.credentialsValid = credentials.valid;
    this.transcript.push(`SCRAM-SHA-256 as ${credentials.user}, ${credentials.valid ? 'the right password' : 'a wrong password or unknown user'}`);
  }

  answer(code: number, payload: Buffer): Buffer | null {
    this.transcript.push(`← ${code} ${payload.toString('hex')}`);
    if (code === AuthRequest.SASL) return this.clientFirst(payload);
    if (code === AuthRequest.SASLContinue) return this.clientFinal(payload.toString('latin1'));
    if (code === AuthRequest.SASLFinal) {
      if (payload.toString('latin1') !== `v=${this.serverSignature}`) return this.unexpected(`wrong server signature ${payload.toString('latin1')}`);
      return null;
    }
    return this.unexpected(`unexpected Authentication request ${code}`);
  }

  private clientFirst(payload: Buffer): Buffer | null {
    if (!payload.equals(Buffer.from(`${SCRAM}\0\0`))) return this.unexpected(`AuthenticationSASL offered ${payload.toString('latin1')}`);
    if (this.first) {
      this.mutated = true;
      return this.send(this.first, this.first);
    }
    const nonce = Buffer.from(Array.from({ length: 18 }, () => this.prng.int(256))).toString('base64');
    const built = this.prng.pick([...builtClientFirst(nonce), ...capturedSaslInitial]);
    return this.send(this.prng.chance(this.rate) ? mutateInitialResponse(this.prng, built, scramDialect) : built, built);
  }

  /** The client-first-message data as the server saw it; null when no SASLInitialResponse was well-formed. */
  private firstData(): Buffer | null {
    const body = this.sent[0];
    return body ? (initialData(body, SCRAM, MAX_SCRAM_MESSAGE) ?? null) : null;
  }

  private clientFinal(serverFirst: string): Buffer | null {
    const data = this.firstData();
    const m = SERVER_FIRST.exec(serverFirst);
    if (!m || data === null) return this.unexpected(`server-first-message ${JSON.stringify(serverFirst)} after ${this.sent[0]?.toString('hex')}`);
    const clientNonce = CLIENT_FIRST.exec(data.toString('latin1'))?.[1];
    if (clientNonce !== undefined && !(m[1]!.startsWith(clientNonce) && m[1]!.length > clientNonce.length)) return this.unexpected(`server nonce ${m[1]} does not extend ${clientNonce}`);
    // The GS2 header is everything up to the second comma (what the server must echo in c=).
    const second = data.indexOf(',', data.indexOf(',') + 1);
    const gs2 = second < 0 ? Buffer.from('n,,') : data.subarray(0, second + 1);
    const bare = second < 0 ? data : data.subarray(second + 1);
    const withoutProof = `c=${gs2.toString('base64')},r=${m[1]}`;
    const authMessage = Buffer.concat([bare, Buffer.from(`,${serverFirst},${withoutProof}`, 'latin1')]);
    const salted = saltedPassword(this.credentials.password, m[2]!, Number(m[3]));
    const clientKey = hmac(salted, 'Client Key');
    const signature = hmac(sha256(clientKey), authMessage);
    const proof = Buffer.from(clientKey.map((b, i) => b ^ signature[i]!));
    this.builtFinal = `${withoutProof},p=${proof.toString('base64')}`;
    this.serverSignature = hmac(hmac(salted, 'Server Key'), authMessage).toString('base64');
    const built = Buffer.from(this.builtFinal, 'latin1');
    return this.send(this.prng.chance(this.rate) ? mutateData(this.prng, built, scramDialect) : built, built);
  }

  /**
   * The client-first-message is valid for PostgreSQL (UTF-8, no NUL, the grammar above, within
   * the size limit) and the client-final-message
   * says what the built one says: the same c=, r= and proof (base64 with padding; only the
   * unused bits of its last digit may differ).
   */
  protected acceptable(): boolean {
    const data = this.firstData();
    const final = this.sent[1];
    if (!this.credentials.valid || data === null || !final || this.builtFinal === null) return false;
    const text = data.toString('latin1');
    if (!isUtf8(data) || data.includes(0) || !CLIENT_FIRST.test(text)) return false;
    const got = CLIENT_FINAL.exec(final.toString('latin1'));
    const want = CLIENT_FINAL.exec(this.builtFinal)!;
    if (!got || final.length > MAX_SCRAM_MESSAGE || !STRICT_B64.test(got[1]!) || !STRICT_B64.test(got[3]!)) return false;
    const decoded = (x: string) => Buffer.from(x, 'base64');
    if (!decoded(got[1]!).equals(decoded(want[1]!)) || got[2] !== want[2] || !decoded(got[3]!).equals(decoded(want[3]!))) return false;
    return true;
  }
}

/** An `auth` value for OAUTHBEARER and whether it signs the user in. */
export interface BearerAuth {
  readonly what: string;
  /** The whole kvpair value: `Bearer <token>`, or '' (a discovery request). */
  readonly auth: string;
  readonly valid: boolean;
}

const OAUTH_MESSAGE = /^[ny],,\x01((?:[A-Za-z]+=[\x21-\x7e \t\r\n]*\x01)+)\x01$/;
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/** The same JWT: the scheme and spacing may differ, and the base64url segments may differ only in unused bits. */
function sameToken(auth: string, valid: string): boolean {
  const m = /^bearer +(.*)$/is.exec(auth);
  if (!m || !B64TOKEN.test(m[1]!)) return false;
  const segments = (t: string) => t.split('.').map((s) => (/^[A-Za-z0-9_-]*$/.test(s) ? Buffer.from(s, 'base64url').toString('hex') : '?'));
  const got = segments(m[1]!);
  const want = segments(valid.replace(/^Bearer /, ''));
  return got.length === want.length && got.every((s, i) => s !== '?' && s === want[i]);
}

/** OAUTHBEARER (PostgreSQL 18's `oauth`): initial response with kvpairs, or none and the empty challenge; `\x01` after the error JSON. */
export class OAuthBearerClient extends SaslClient {
  protected readonly allowedCodes = ['08P01', '28000', '0A000'];
  protected readonly refusedCode = '28000';
  protected readonly credentialsValid: boolean;
  /** The kvpairs message as built, and as it is to be sent after an empty challenge (when the initial response had none). */
  private message: { built: Buffer; deferred: Buffer } | null = null;

  constructor(
    prng: Prng,
    user: string,
    private readonly token: BearerAuth,
    private readonly validAuth: string,
    private readonly errorJson: string,
    rate: number,
    private readonly first?: Buffer,
  ) {
    super(prng, user, rate);
    this.credentialsValid = token.valid;
    this.transcript.push(`OAUTHBEARER as ${user}, token: ${token.what}`);
  }

  answer(code: number, payload: Buffer): Buffer | null {
    this.transcript.push(`← ${code} ${payload.toString('hex')}`);
    if (code === AuthRequest.SASL) return this.initial(payload);
    if (code !== AuthRequest.SASLContinue) return this.unexpected(`unexpected Authentication request ${code}`);
    if (payload.length === 0) {
      const first = this.sent[0];
      if (!this.message || this.sent.length !== 1 || !first || initialData(first, OAUTHBEARER, MAX_OAUTHBEARER_MESSAGE) !== null) {
        return this.unexpected('an empty challenge, but the initial response was not one without data');
      }
      return this.send(this.message.deferred, this.message.built);
    }
    if (payload.toString('latin1') !== this.errorJson) return this.unexpected(`error JSON ${payload.toString('latin1')}`);
    const kvsep = Buffer.from('\x01');
    return this.send(this.prng.chance(this.rate) ? mutateData(this.prng, kvsep, oauthDialect) : kvsep, kvsep);
  }

  private initial(payload: Buffer): Buffer | null {
    if (!payload.equals(Buffer.from(`${OAUTHBEARER}\0\0`))) return this.unexpected(`AuthenticationSASL offered ${payload.toString('latin1')}`);
    const extra = this.prng.pick(['', 'host=localhost\x01port=5432\x01']);
    const message = Buffer.from(`${this.prng.pick(['n,,', 'y,,'])}\x01${extra}auth=${this.token.auth}\x01\x01`, 'latin1');
    this.message = { built: message, deferred: this.prng.chance(this.rate) ? mutateData(this.prng, message, oauthDialect) : message };
    if (this.first) {
      this.mutated = true;
      return this.send(this.first, this.first);
    }
    const built = initialResponse(OAUTHBEARER, this.prng.chance(0.15) ? null : message);
    return this.send(this.prng.chance(this.rate) ? mutateInitialResponse(this.prng, built, oauthDialect) : built, built);
  }

  /** The message the server took is RFC 7628-valid (one auth kvpair, within the size limit) and carries the valid token. */
  protected acceptable(): boolean {
    const first = this.sent[0];
    if (!first) return false;
    const data = initialData(first, OAUTHBEARER, MAX_OAUTHBEARER_MESSAGE);
    const message = data === null ? this.sent[1] : data;
    if (!message || message.length > MAX_OAUTHBEARER_MESSAGE) return false;
    const kvpairs = OAUTH_MESSAGE.exec(message.toString('latin1'));
    if (!kvpairs) return false;
    const auth = kvpairs[1]!.split('\x01').filter((p) => p.startsWith('auth='));
    return auth.length === 1 && sameToken(auth[0]!.slice(5), this.validAuth);
  }
}

export const OAUTH_ISSUER = 'https://idp.fuzz.test';
export const OAUTH_SCOPE = 'openid lakegate';
const AUDIENCE = 'lakegate';

export interface OAuthFixture {
  /** JWT settings with a static public key (`keys`). */
  readonly settings: JwtSettings;
  /** What the `oauth` rule's error JSON says. */
  readonly errorJson: string;
  /** `auth` values for `user`: one valid, the rest refused for different reasons. */
  readonly auths: readonly BearerAuth[];
  readonly valid: BearerAuth;
}

/** Keys, settings and tokens for OAUTHBEARER sign-in of `user` on a rule `issuer=OAUTH_ISSUER scope=OAUTH_SCOPE`. */
export async function oauthFixture(user: string): Promise<OAuthFixture> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const other = (await generateKeyPair('ES256')).privateKey;
  const settings = parseJwtSettings({ issuer: OAUTH_ISSUER, audience: AUDIENCE, keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' }], algorithms: ['ES256'] });
  const sign = (claims: Record<string, unknown>, key = privateKey, exp: string | number = '1h') =>
    new SignJWT({ sub: user, scope: OAUTH_SCOPE, ...claims }).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).setIssuer(OAUTH_ISSUER).setAudience(AUDIENCE).setIssuedAt().setExpirationTime(exp).sign(key);
  const bearer = async (what: string, token: Promise<string> | string, valid = false): Promise<BearerAuth> => ({ what, auth: `Bearer ${await token}`, valid });
  const valid = await bearer('valid', sign({}), true);
  const auths = [
    valid,
    await bearer('expired', sign({}, privateKey, Math.floor(Date.now() / 1000) - 3600)),
    await bearer('another user', sign({ sub: 'mallory' })),
    await bearer('a scope missing', sign({ scope: 'openid' })),
    await bearer('another key', sign({}, other)),
    await bearer('alg none', new UnsecuredJWT({ sub: user, scope: OAUTH_SCOPE }).setIssuer(OAUTH_ISSUER).setAudience(AUDIENCE).setExpirationTime('1h').encode()),
    await bearer('opaque', 'b3BhcXVlLXRva2Vu'),
    { what: 'discovery', auth: '', valid: false },
  ];
  const errorJson = JSON.stringify({ status: 'invalid_token', 'openid-configuration': `${OAUTH_ISSUER}/.well-known/openid-configuration`, scope: OAUTH_SCOPE });
  return { settings, errorJson, auths, valid };
}

/** SASLInitialResponse bodies kept in fuzz-corpus/crashes, replayed before the mutated exchanges. */
export const scramCrashes = crashesOf('scram');
export const oauthCrashes = crashesOf('oauthbearer');

/** The client gave nothing more to send: in process, the end of the connection. */
class ClientGone extends Error {}

/**
 * Runs `authenticate` against `client` in process (an AuthExchange over no socket). Resolves
 * to the outcome; anything thrown that is not a SqlError is rethrown.
 */
export async function exchangeInProcess(authenticate: Authenticator, client: SaslClient): Promise<SaslOutcome> {
  let reply: Buffer | null = null;
  const exchange: AuthExchange = {
    socket: new Socket(),
    request: (code, payload) => {
      reply = client.answer(code, Buffer.from(payload ?? []));
    },
    receive: async () => {
      if (reply === null) throw new ClientGone();
      const body: Buffer = reply;
      reply = null;
      return body;
    },
  };
  const startup: StartupInfo = { user: client.user, database: 'd', parameters: new Map() };
  try {
    await authenticate(startup, exchange);
    return { ok: true, error: null };
  } catch (err) {
    if (err instanceof ClientGone) return { ok: false, error: null };
    if (err instanceof SqlError) return { ok: false, error: { severity: err.severity, code: err.code, message: err.message } };
    throw err;
  }
}

/** Outcomes counted by kind (AuthenticationOk; SQLSTATE; a close without either), for a run's summary line. */
export class OutcomeCounts {
  private readonly counts = new Map<string, number>();

  add(outcome: SaslOutcome): void {
    const key = outcome.ok ? 'ok' : (outcome.error?.code ?? 'closed');
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  toString(): string {
    return [...this.counts].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `${k} ${n}`).join(', ');
  }
}
