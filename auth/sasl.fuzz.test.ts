/**
 * Bounded-time fuzzing of sign-in in process (CHECKLIST-reliability.md b.1 29), with the
 * clients and mutators of `server/testing/sasl-fuzz.ts`:
 *  - the parsers: mutated SASLInitialResponse bodies (hand-built, captured from real clients in
 *    server/testing/fuzz-corpus/, and `scram-` / `oauthbearer-` crash files) through
 *    parseSaslInitialResponse, parsePasswordMessage and parseClientResponse; each returns what
 *    its input says or throws a FATAL SqlError 08P01 (0A000 for an authorization identity);
 *  - the methods: SCRAM-SHA-256 and OAUTHBEARER exchanges, each message mutated half the time,
 *    against the authenticators over an in-memory AuthExchange; only a SqlError may escape, and
 *    the outcome is judged by the client (AuthenticationOk exactly for the valid exchange, the
 *    SQLSTATE the messages call for, the server's own messages right).
 * FUZZ_SEED / FUZZ_ITERATIONS (parser inputs; one exchange per 10 for each method) override the defaults.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { SqlError } from '../engine/errors/index.js';
import { capturedSaslInitial, fuzzSettings, Prng, replayError, replayable } from '../server/testing/fuzz.js';
import {
  exchangeInProcess, initialResponse, mutateData, mutateInitialResponse, OAuthBearerClient, oauthCrashes, oauthDialect, oauthFixture, OAUTH_ISSUER, OAUTH_SCOPE,
  OutcomeCounts, SCRAM, scramCrashes, ScramClient, scramDialect, type OAuthFixture, type SaslClient, type ScramCredentials,
} from '../server/testing/sasl-fuzz.js';
import type { Authenticator } from './authenticator.js';
import { MAX_OAUTHBEARER_MESSAGE, OAUTHBEARER, oauthBearerAuthenticator, parseClientResponse } from './methods/oauthbearer.js';
import { MAX_SCRAM_MESSAGE, scramAuthenticator } from './methods/scram-sha-256.js';
import { parsePasswordMessage, parseSaslInitialResponse } from './sasl.js';
import { makeVerifier } from './scram/verifier.js';

const settings = fuzzSettings();
const EXCHANGES = Math.ceil(settings.iterations / 10);
/** Chance that each message of an exchange is mutated. */
const RATE = 0.5;

/** Passes when `err` is a FATAL SqlError with one of `codes`; rethrows anything else. */
function expectRejection(err: unknown, codes: readonly string[], what: string): void {
  if (!(err instanceof SqlError)) throw new Error(`${what} threw ${String(err)}, not a SqlError`, { cause: err });
  if (err.severity !== 'FATAL' || !codes.includes(err.code)) throw new Error(`${what} threw ${err.severity} ${err.code} "${err.message}"`, { cause: err });
}

/** Runs `parse`; a rejection must be one of `codes`. Returns the result, or undefined when it was rejected. */
function parsed<T>(what: string, codes: readonly string[], parse: () => T): T | undefined {
  try {
    return parse();
  } catch (err) {
    expectRejection(err, codes, what);
    return undefined;
  }
}

/** Checks the three parsers on one input: a result that says what the input says, or a FATAL 08P01 / 0A000. */
function checkParsers(body: Buffer): void {
  for (const max of [MAX_SCRAM_MESSAGE, MAX_OAUTHBEARER_MESSAGE]) {
    const r = parsed('parseSaslInitialResponse', ['08P01'], () => parseSaslInitialResponse(body, max));
    if (r === undefined) continue;
    const nul = body.indexOf(0);
    expect(r.mechanism).toBe(body.subarray(0, nul).toString('utf8'));
    const declared = body.readInt32BE(nul + 1);
    if (r.data === null) expect([declared, body.length]).toEqual([-1, nul + 5]);
    else expect([r.data.length, r.data.length <= max]).toEqual([declared, true]);
  }
  const password = parsed('parsePasswordMessage', ['08P01'], () => parsePasswordMessage(body));
  if (password !== undefined) expect(body.indexOf(0)).toBe(body.length - 1);
  const data = body.subarray(body.indexOf(0) + 5);
  for (const message of [body, data]) {
    const auth = parsed('parseClientResponse', ['08P01', '0A000'], () => parseClientResponse(message.toString('latin1')));
    if (auth !== undefined) expect(message.toString('latin1')).toMatch(new RegExp(`^[ny],,\\x01(?:.*\\x01)?auth=${auth.replace(/[^\w ]/g, '\\$&')}\\x01`, 's'));
  }
}

const parserSeeds: readonly Buffer[] = [
  initialResponse(SCRAM, Buffer.from('n,,n=,r=rOprNGfwEbeRWgbN')),
  initialResponse(OAUTHBEARER, Buffer.from('n,,\x01host=localhost\x01port=5432\x01auth=Bearer abc.def.ghi\x01\x01')),
  initialResponse(OAUTHBEARER, null),
  Buffer.from('secret\0'),
  ...capturedSaslInitial,
  ...scramCrashes,
  ...oauthCrashes,
];

describe('SASL parser fuzzing', () => {
  it(`parsers answer ${settings.iterations} mutated messages with their content or a FATAL 08P01/0A000 (FUZZ_SEED=0x${settings.seed.toString(16)})`, () => {
    const prng = new Prng(settings.seed ^ 0x5a51);
    parserSeeds.forEach((seed, i) => replayable(settings, -1 - i, seed, () => checkParsers(seed)));
    const started = performance.now();
    for (let i = 0; i < settings.iterations; i++) {
      const seed = prng.pick(parserSeeds);
      const dialect = seed.subarray(0, 11).toString('latin1') === OAUTHBEARER ? oauthDialect : scramDialect;
      const input = prng.chance(0.7) ? mutateInitialResponse(prng, seed, dialect) : mutateData(prng, seed, dialect);
      replayable(settings, i, input, () => checkParsers(input));
    }
    console.info(`SASL parser fuzz: ${settings.iterations} inputs, ${Math.round(settings.iterations / ((performance.now() - started) / 1000))}/s`);
  });
});

/** Runs `count` exchanges made by `client(i)` against `authenticate`; every verdict must be clean. */
async function fuzzExchanges(name: string, authenticate: Authenticator, count: number, client: (i: number) => SaslClient): Promise<void> {
  const outcomes = new OutcomeCounts();
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const c = client(i);
    let wrong: string | null;
    try {
      const outcome = await exchangeInProcess(authenticate, c);
      wrong = c.verdict(outcome);
      outcomes.add(outcome);
    } catch (err) {
      wrong = `threw ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`;
    }
    if (wrong) throw replayError(settings, i, c.firstMessage, new Error(`${wrong}\n${c.transcript.join('\n')}`));
  }
  console.info(`${name} fuzz: ${count} exchanges, ${Math.round(count / ((performance.now() - started) / 1000))}/s; ${outcomes}`);
}

describe('sign-in method fuzzing', () => {
  const password = 's3cret pw';
  const verifier = makeVerifier(password);
  const credentials: readonly ScramCredentials[] = [
    { user: 'alice', password, valid: true },
    { user: 'alice', password: 'wrong', valid: false },
    { user: 'ghost', password, valid: false },
  ];
  let oauth: OAuthFixture;
  beforeAll(async () => {
    oauth = await oauthFixture('olive');
  });

  it(`SCRAM-SHA-256 answers ${EXCHANGES} mutated exchanges as the client expects`, async () => {
    const scram = scramAuthenticator({ lookup: async (user) => (user === 'alice' ? verifier : null) });
    const prng = new Prng(settings.seed ^ 0x5c7a);
    await fuzzExchanges('SCRAM', scram, EXCHANGES + scramCrashes.length, (i) =>
      i < scramCrashes.length ? new ScramClient(prng, credentials[0]!, 0, scramCrashes[i]) : new ScramClient(prng, prng.pick(credentials), RATE),
    );
  });

  it(`OAUTHBEARER answers ${EXCHANGES} mutated exchanges as the client expects`, async () => {
    const method = oauthBearerAuthenticator({ settings: oauth.settings })({ issuer: OAUTH_ISSUER, scope: OAUTH_SCOPE });
    const prng = new Prng(settings.seed ^ 0x0a07);
    await fuzzExchanges('OAUTHBEARER', method, EXCHANGES + oauthCrashes.length, (i) => {
      if (i < oauthCrashes.length) return new OAuthBearerClient(prng, 'olive', oauth.valid, oauth.valid.auth, oauth.errorJson, 0, oauthCrashes[i]);
      return new OAuthBearerClient(prng, 'olive', prng.pick(oauth.auths), oauth.valid.auth, oauth.errorJson, RATE);
    });
  });
});
