/**
 * Bounded-time fuzzing of sign-in on a live in-process server (CHECKLIST-reliability.md b.1 29):
 * SCRAM-SHA-256 (password file; a user, a wrong password, an unknown user) and OAUTHBEARER (hba
 * `oauth`, JWT settings with a static key; a valid token, refused ones, discovery) exchanges by
 * the clients of `testing/sasl-fuzz.ts`, which mutate half their SASLInitialResponse and
 * SASLResponse messages, while one 'p' frame in ten is also mutated as wire bytes (length word,
 * type byte, frames dropped, repeated or spliced; `testing/fuzz.ts`). Frames go out in random
 * pieces, 16 connections at a time; a bystander signed in with node-postgres queries between
 * batches. Every connection must end with well-formed backend messages only, with a FATAL as the
 * last one (a close without one only after broken framing) and never XX000; the client's verdict
 * must hold (AuthenticationOk exactly for the valid exchange, the SQLSTATE the messages call
 * for); nothing is logged as an unexpected failure; the connection count returns to zero.
 * `scram-` and `oauthbearer-` crash files (testing/fuzz-corpus/crashes) are replayed first, with
 * the rest of their exchange unmutated.
 * FUZZ_SEED / FUZZ_ITERATIONS (one connection per 25) override the defaults.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hbaAuthenticator } from '../auth/hba-authenticator.js';
import { parseHba } from '../auth/hba.js';
import { oauthBearerAuthenticator } from '../auth/methods/oauthbearer.js';
import { scramAuthenticator } from '../auth/methods/scram-sha-256.js';
import { AuthRequest } from '../auth/sasl.js';
import { passwordFileLookup } from '../auth/password-file.js';
import { formatVerifier, makeVerifier } from '../auth/scram/verifier.js';
import { T } from '../engine/types/pg-type.js';
import type { Logger } from './log.js';
import { startServer, type RunningServer } from './server.js';
import { createFakeEngine } from './testing/fake-engine.js';
import { fuzzSettings, messageCorpus, mutate, Prng, randomChunks, replayError, typed, type FuzzInput } from './testing/fuzz.js';
import {
  OAuthBearerClient, oauthCrashes, oauthFixture, OAUTH_ISSUER, OAUTH_SCOPE, OutcomeCounts, scramCrashes, ScramClient, type OAuthFixture, type SaslClient,
  type SaslOutcome, type ScramCredentials,
} from './testing/sasl-fuzz.js';
import { decodeBackend, encodeFrontend, type WireJson } from './testing/wire-client.js';

const settings = fuzzSettings();
const connections = Math.ceil(settings.iterations / 25);
const PARALLEL = 16;
/** Chance that a SASL message is mutated by the client, and that its 'p' frame is then mutated as bytes. */
const RATE = 0.5;
const FRAME_RATE = 0.1;
/** After broken framing or an unanswered request: how long the server must stay silent before the client sends FIN. */
const QUIET_MS = 10;
/** A liveness bound: an answer, or the close after FIN, that takes longer is a hang. */
const DEADLINE_MS = 10_000;
const PASSWORD = 's3cret pw';
const credentials: readonly ScramCredentials[] = [
  { user: 'alice', password: PASSWORD, valid: true },
  { user: 'alice', password: 'wrong', valid: false },
  { user: 'ghost', password: PASSWORD, valid: false },
];
const OAUTH_USER = 'olive';

const unexpected: string[] = [];
const log: Logger = {
  info: () => {},
  warn: (m) => {
    if (/^(connection failed|internal error|closing session failed)/.test(m)) unexpected.push(m);
  },
};
const frameCorpus: readonly FuzzInput[] = messageCorpus.map((bytes) => ({ phase: 'messages', bytes }));
let server: RunningServer;
let oauth: OAuthFixture;
let dir: string;

beforeAll(async () => {
  oauth = await oauthFixture(OAUTH_USER);
  dir = mkdtempSync(join(tmpdir(), 'lakegate-sign-in-fuzz-'));
  writeFileSync(join(dir, 'passwords'), `alice:${formatVerifier(makeVerifier(PASSWORD))}\n`);
  const rules = parseHba(`host all alice,ghost all scram-sha-256\nhost all all all oauth issuer="${OAUTH_ISSUER}" scope="${OAUTH_SCOPE}"`, 'fuzz-hba');
  const authenticate = hbaAuthenticator(rules, {
    'scram-sha-256': scramAuthenticator({ lookup: passwordFileLookup(join(dir, 'passwords')) }),
    oauth: oauthBearerAuthenticator({ settings: oauth.settings }),
  });
  const engine = createFakeEngine({ 'select 1': { columns: [{ name: '?column?', type: T.int4 }], rows: [[1]] } });
  server = await startServer({ engine, port: 0, log, authenticate, authenticationTimeoutMs: 5000 });
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

const backendCodes = new Set('R K 2 3 C d c H D I E v n N t S 1 s Z T'.split(' '));

/** Backend messages as they arrive: complete frames of known types (anything else throws), then 'closed'. */
class BackendStream {
  private buffer = Buffer.alloc(0);
  private closed = false;
  /** The connection was reset: a partial last frame is no error then. */
  reset = false;
  private wake: (() => void) | null = null;

  constructor(socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.wake?.();
    });
    socket.on('error', () => (this.reset = true));
    socket.on('close', () => {
      this.closed = true;
      this.wake?.();
    });
  }

  /** The next message; 'closed'; or 'quiet' when nothing arrived for `quietMs`. */
  async next(quietMs: number): Promise<WireJson | 'closed' | 'quiet'> {
    for (;;) {
      if (this.buffer.length >= 5) {
        const code = String.fromCharCode(this.buffer[0]!);
        const length = this.buffer.readUInt32BE(1);
        if (!backendCodes.has(code) || length < 4) throw new Error(`malformed backend message: ${this.buffer.subarray(0, 5).toString('hex')}`);
        if (this.buffer.length >= 1 + length) {
          const message = decodeBackend(code, this.buffer.subarray(5, 1 + length));
          this.buffer = this.buffer.subarray(1 + length);
          return message;
        }
      }
      if (this.closed) {
        if (this.buffer.length > 0 && !this.reset) throw new Error(`the connection closed inside a message: ${this.buffer.toString('hex')}`);
        return 'closed';
      }
      const arrived = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), quietMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve(true);
        };
      });
      this.wake = null;
      if (!arrived) return 'quiet';
    }
  }
}

/** The body of the first frame of `bytes` when it is a complete 'p' message (what the server reads next), else null. */
function firstPasswordBody(bytes: Buffer): Buffer | null {
  if (bytes.length < 5 || bytes[0] !== 0x70) return null;
  const length = bytes.readUInt32BE(1);
  return length >= 4 && 1 + length <= bytes.length ? bytes.subarray(5, 1 + length) : null;
}

/**
 * One connection driven by `client`: startup, then its answers to every Authentication request
 * (each 'p' frame mutated as bytes with chance `frameRate`, after which it answers no more),
 * Terminate after ReadyForQuery, FIN once the server is quiet while it may be waiting for the
 * client. Checks the backend messages; returns the exchange's outcome.
 */
async function signInSession(prng: Prng, client: SaslClient, frameRate: number): Promise<{ outcome: SaslOutcome; silentAllowed: boolean }> {
  const socket = connect({ port: server.port, host: '127.0.0.1', noDelay: true });
  await once(socket, 'connect');
  const stream = new BackendStream(socket);
  socket.write(encodeFrontend({ Type: 'StartupMessage', Parameters: { user: client.user, database: 'd' } }));
  const seen: WireJson[] = [];
  let ok = false;
  let error: SaslOutcome['error'] = null;
  let broken = false;
  /** The server may be waiting for more bytes: a frame was mutated, or the client did not answer. */
  let mayWait = false;
  let ended = false;
  try {
    for (;;) {
      const m = await stream.next(mayWait && !ended ? QUIET_MS : DEADLINE_MS);
      if (m === 'closed') break;
      if (m === 'quiet') {
        if (!mayWait || ended) throw new Error(`no answer and no close within ${DEADLINE_MS} ms${ended ? ' of FIN' : ''}`);
        socket.end();
        ended = true;
        continue;
      }
      seen.push(m);
      if (m.Type === 'AuthenticationOk') ok = true;
      else if (m.Type === 'ErrorResponse' && !ok) error = { severity: String(m.Severity), code: String(m.Code), message: String(m.Message) };
      else if (m.Type === 'ReadyForQuery' && !ended) {
        socket.end(encodeFrontend({ Type: 'Terminate' }));
        ended = true;
      } else if (m.Type === 'Authentication' && !broken && !ended) {
        const body = client.answer(Number(m.Code), Buffer.from(String(m.Payload), 'hex'));
        if (body === null) {
          mayWait = m.Code !== AuthRequest.SASLFinal;
          continue;
        }
        let bytes: Buffer = typed('p', body);
        if (prng.chance(frameRate)) {
          bytes = mutate(prng, { phase: 'messages', bytes }, frameCorpus, 1 << 20).bytes;
          broken = mayWait = true;
          client.serverSaw(firstPasswordBody(bytes));
        }
        for (const chunk of randomChunks(prng, bytes)) socket.write(chunk);
      }
    }
  } finally {
    socket.destroy();
  }
  const fatal = seen.findIndex((m) => m.Type === 'ErrorResponse' && m.Severity === 'FATAL');
  if (fatal >= 0 && fatal !== seen.length - 1) throw new Error(`messages after a FATAL: ${JSON.stringify(seen.slice(fatal))}`);
  const internal = seen.find((m) => m.Type === 'ErrorResponse' && m.Code === 'XX000');
  if (internal) throw new Error(`internal error: ${JSON.stringify(internal)}`);
  return { outcome: { ok, error }, silentAllowed: broken || stream.reset };
}

/** The client for connection `i`: crash files first (the rest of their exchange as built), then SCRAM or OAUTHBEARER at random. */
function clientFor(prng: Prng, i: number): SaslClient {
  if (i < scramCrashes.length) return new ScramClient(prng, credentials[0]!, 0, scramCrashes[i]);
  const oauthCrash = oauthCrashes[i - scramCrashes.length];
  if (oauthCrash) return new OAuthBearerClient(prng, OAUTH_USER, oauth.valid, oauth.valid.auth, oauth.errorJson, 0, oauthCrash);
  if (prng.chance(0.5)) return new ScramClient(prng, prng.pick(credentials), RATE);
  return new OAuthBearerClient(prng, OAUTH_USER, prng.pick(oauth.auths), oauth.valid.auth, oauth.errorJson, RATE);
}

describe('live sign-in fuzzing', () => {
  it(`answers ${connections} mutated SCRAM and OAUTHBEARER sign-ins as the client expects while a signed-in session keeps working (FUZZ_SEED=0x${settings.seed.toString(16)})`, async () => {
    const prng = new Prng(settings.seed ^ 0x516e_1e55);
    const bystander = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'alice', password: PASSWORD, database: 'd' });
    // After a failure, closing the server ends this session with 57P01: not another failure.
    bystander.on('error', () => {});
    await bystander.connect();
    const outcomes = new OutcomeCounts();
    const replays = scramCrashes.length + oauthCrashes.length;
    const total = connections + replays;
    const started = performance.now();

    for (let first = 0; first < total; first += PARALLEL) {
      const batch = Array.from({ length: Math.min(PARALLEL, total - first) }, (_, k) => {
        // Each connection has its own PRNG, so that its run does not depend on how the batch interleaves.
        const own = new Prng(prng.int(0x100000000));
        return { iteration: first + k, own, client: clientFor(own, first + k) };
      });
      await Promise.all(
        batch.map(async ({ iteration, own, client }) => {
          let wrong: string | null;
          try {
            const { outcome, silentAllowed } = await signInSession(own, client, iteration < replays ? 0 : FRAME_RATE);
            wrong = client.verdict(outcome, silentAllowed);
            outcomes.add(outcome);
          } catch (err) {
            wrong = err instanceof Error ? (err.stack ?? err.message) : String(err);
          }
          if (wrong) throw replayError(settings, iteration, client.firstMessage, new Error(`${wrong}\n${client.transcript.join('\n')}`));
        }),
      );
      expect((await bystander.query('select 1')).rows).toEqual([{ '?column?': 1 }]);
    }

    const seconds = (performance.now() - started) / 1000;
    console.info(`live sign-in fuzz: ${total} connections, ${Math.round(total / seconds)}/s; ${outcomes}`);
    expect(unexpected).toEqual([]);
    await expect.poll(() => server.connectionCount(), { timeout: 5000 }).toBe(1);
    await bystander.end();
    await expect.poll(() => server.connectionCount(), { timeout: 5000 }).toBe(0);
  });
});
