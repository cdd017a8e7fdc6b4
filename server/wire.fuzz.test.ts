/**
 * Bounded-time fuzzing of a live in-process server (issue 8 item 5, CHECKLIST-reliability.md
 * b.1 29): mutated sessions (startup, encryption requests, CancelRequest; or a valid startup
 * and mutated simple and extended queries, COPY and password messages) arrive on fresh
 * connections, written in random pieces and ended with FIN once the server has gone quiet,
 * 16 at a time, while a normal session queries between every batch. Every hostile connection
 * must be closed by the server, after only well-formed backend messages (a FATAL only as the
 * last one, never an internal error); nothing is logged as an unexpected failure; the normal
 * session's queries all succeed; the connection count returns to zero.
 * FUZZ_SEED / FUZZ_ITERATIONS (one connection per 25) override the defaults.
 */
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { T } from '../engine/types/pg-type.js';
import type { Logger } from './log.js';
import { startServer, type RunningServer } from './server.js';
import { createFakeEngine } from './testing/fake-engine.js';
import { fuzzSettings, messageCorpus, mutate, Prng, randomChunks, replayError, startupCorpus } from './testing/fuzz.js';
import { decodeBackend, encodeFrontend, WireClient, type WireJson } from './testing/wire-client.js';

const settings = fuzzSettings();
const connections = Math.ceil(settings.iterations / 25);
/** Hostile connections open at the same time. */
const PARALLEL = 16;
/** How long the server must stay silent before a hostile connection sends FIN. */
const QUIET_MS = 10;
/** A liveness bound, not a timing assertion: a hostile connection still open after this is a hang. */
const CLOSE_DEADLINE_MS = 10_000;
const maxMessageBytes = 4096;

const engine = createFakeEngine({
  'select 1': { columns: [{ name: '?column?', type: T.int4 }], rows: [[1]] },
  'select $1': { columns: [{ name: '?column?', type: T.int4 }], paramTypes: [T.int4], rows: (p) => [[p[0]]] },
  "select 'é€😀'": { columns: [{ name: '?column?', type: T.text }], rows: [['é€😀']] },
});
/** Lines that mean an error escaped as something other than a SqlError. */
const unexpected: string[] = [];
const log: Logger = {
  info: () => {},
  warn: (m) => {
    if (/^(connection failed|internal error|closing session failed)/.test(m)) unexpected.push(m);
  },
};
let server: RunningServer;

const startupMessage = encodeFrontend({ Type: 'StartupMessage', Parameters: { user: 'u', database: 'd' } });
const startupInputs = startupCorpus.map((bytes) => ({ phase: 'startup' as const, bytes }));
const messageInputs = messageCorpus.map((bytes) => ({ phase: 'messages' as const, bytes }));

/**
 * A hostile session: half the time a mutated startup-phase input, half the time a valid
 * startup followed by mutated messages (which reach the extended protocol far more often).
 */
function hostileSession(prng: Prng): Buffer {
  if (prng.chance(0.5)) return mutate(prng, prng.pick(startupInputs), startupInputs, maxMessageBytes).bytes;
  return Buffer.concat([startupMessage, mutate(prng, prng.pick(messageInputs), messageInputs, maxMessageBytes).bytes]);
}

const backendCodes = new Set('R K 2 3 C d c H D I E v n N t S 1 s Z T'.split(' '));

/**
 * The server's answer as backend messages: up to two leading 'N' bytes (SSLRequest and
 * GSSENCRequest refused; no framed message starts a conversation with 'N'), then complete
 * frames of known types. A trailing partial frame is allowed only after a reset.
 */
function parseAnswer(bytes: Buffer, reset: boolean): WireJson[] {
  let pos = 0;
  while (pos < 2 && bytes[pos] === 0x4e) pos++;
  const messages: WireJson[] = [];
  while (pos + 5 <= bytes.length) {
    const code = String.fromCharCode(bytes[pos]!);
    const length = bytes.readUInt32BE(pos + 1);
    if (!backendCodes.has(code) || length < 4) throw new Error(`malformed backend message at byte ${pos}: ${bytes.subarray(pos, pos + 5).toString('hex')}`);
    if (pos + 1 + length > bytes.length) break;
    messages.push(decodeBackend(code, bytes.subarray(pos + 5, pos + 1 + length)));
    pos += 1 + length;
  }
  if (pos !== bytes.length && !reset) throw new Error(`answer ends inside a message: ${bytes.subarray(pos).toString('hex')}`);
  return messages;
}

/**
 * Resolves once the server has sent nothing for QUIET_MS (or closed). A FIN sent while the
 * server is still answering would end the session at its next write (the socket is not
 * half-open), so waiting lets the mutated messages reach the deeper parts of the session.
 */
async function quiet(socket: Socket, closed: Promise<unknown>): Promise<void> {
  for (let before = -1; before !== socket.bytesRead; ) {
    before = socket.bytesRead;
    if ((await Promise.race([closed.then(() => 'closed'), new Promise((resolve) => setTimeout(resolve, QUIET_MS))])) === 'closed') return;
  }
}

/** Sends `chunks` on a fresh connection, waits until the server is quiet, sends FIN; checks what the server sent until it closed. */
async function hostileConnection(chunks: readonly Buffer[]): Promise<void> {
  const socket = connect({ port: server.port, host: '127.0.0.1', noDelay: true });
  await once(socket, 'connect');
  const received: Buffer[] = [];
  let reset = false;
  socket.on('data', (c: Buffer) => received.push(c));
  socket.on('error', () => (reset = true));
  const closed = once(socket, 'close');
  for (const chunk of chunks) socket.write(chunk);
  await quiet(socket, closed);
  socket.end();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'open'>((resolve) => (timer = setTimeout(() => resolve('open'), CLOSE_DEADLINE_MS)));
  const outcome = await Promise.race([closed, deadline]);
  clearTimeout(timer);
  socket.destroy();
  if (outcome === 'open') throw new Error(`the server did not close the connection within ${CLOSE_DEADLINE_MS} ms`);
  const answer = parseAnswer(Buffer.concat(received), reset);
  const fatal = answer.findIndex((m) => m.Type === 'ErrorResponse' && m.Severity === 'FATAL');
  if (fatal >= 0 && fatal !== answer.length - 1) throw new Error(`messages after a FATAL: ${JSON.stringify(answer.slice(fatal))}`);
  const internal = answer.find((m) => m.Type === 'ErrorResponse' && m.Code === 'XX000');
  if (internal) throw new Error(`internal error: ${JSON.stringify(internal)}`);
}

beforeAll(async () => {
  server = await startServer({ engine, port: 0, log, maxMessageBytes, authenticationTimeoutMs: 5000 });
});

afterAll(async () => {
  await server.close();
});

describe('live server fuzzing', () => {
  it(`survives ${connections} mutated connections while a normal session keeps working (FUZZ_SEED=0x${settings.seed.toString(16)})`, async () => {
    const prng = new Prng(settings.seed ^ 0x5e55_1015);
    const normal = await WireClient.connect(server.port);
    await normal.startup({ user: 'u', database: 'd' });
    let queries = 0;

    for (let first = 0; first < connections; first += PARALLEL) {
      const batch = Array.from({ length: Math.min(PARALLEL, connections - first) }, (_, k) => {
        const input = hostileSession(prng);
        return { iteration: first + k, input, chunks: randomChunks(prng, input) };
      });
      await Promise.all(
        batch.map(({ iteration, input, chunks }) =>
          hostileConnection(chunks).catch((err: unknown) => {
            throw replayError(settings, iteration, input, err);
          }),
        ),
      );

      normal.send({ Type: 'Query', String: 'select 1' });
      expect((await normal.until('ReadyForQuery')).map((m) => m.Type)).toEqual(['RowDescription', 'DataRow', 'CommandComplete', 'ReadyForQuery']);
      queries++;
    }

    expect(unexpected).toEqual([]);
    expect(queries).toBe(Math.ceil(connections / PARALLEL));
    await expect.poll(() => server.connectionCount(), { timeout: 5000 }).toBe(1);
    normal.destroy();
    await expect.poll(() => server.connectionCount(), { timeout: 5000 }).toBe(0);
  });
});
