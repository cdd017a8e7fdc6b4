/**
 * Bounded-time mutation fuzzing of the pure codec (issue 8 item 5, CHECKLIST-reliability.md
 * b.1 29): mutants of valid startup and message traffic go through FrameReader,
 * decodeStartupPacket and decodeMessage as a connection drives them, each input three times —
 * in one chunk, in random chunks and byte by byte. Invariants:
 *  - only SqlError escapes: framing errors are ConnectionFatal 08P01, startup packets
 *    ConnectionFatal 08P01/0A000, message bodies ERROR 08P01/22021;
 *  - no Buffer is ever allocated larger than the bytes received so far; fed byte by byte, a bad
 *    type byte or length word is rejected the moment it is complete (no body byte kept), and
 *    the reader only ever waits for a frame whose declared length is within its type's limit;
 *  - every chunking yields the same messages and errors.
 * Mutants that reach a new (message type | error) or a new pair of consecutive ones join the
 * corpus. FUZZ_SEED / FUZZ_ITERATIONS override the fixed defaults (server/README.md).
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import { SqlError } from '../../engine/errors/index.js';
import { fuzzCorpus, fuzzSettings, mutate, Prng, randomChunks, replayable, type FuzzInput, type Phase } from '../testing/fuzz.js';
import { FrontendCode } from './codes.js';
import { ConnectionFatal } from './errors.js';
import { FrameReader, MAX_STARTUP_PACKET_BODY, SMALL_MESSAGE_LIMIT } from './frame-reader.js';
import { decodeMessage, decodeStartupPacket } from './frontend.js';

const settings = fuzzSettings();
/** Small, so that mutated length words and grown inputs cross it often. */
const limits = { maxMessageBytes: 512 };
/** Inputs grow by insertion and splicing; longer ones are cut here. */
const MAX_INPUT_BYTES = 4096;
const CORPUS_LIMIT = 1000;

const allocUnsafe = vi.spyOn(Buffer, 'allocUnsafe');
const alloc = vi.spyOn(Buffer, 'alloc');
afterAll(() => vi.restoreAllMocks());

/** The largest Buffer requested since the last call. */
function largestAllocation(): number {
  let largest = 0;
  for (const [size] of [...allocUnsafe.mock.calls, ...alloc.mock.calls]) largest = Math.max(largest, size);
  allocUnsafe.mockClear();
  alloc.mockClear();
  return largest;
}

interface Event {
  /** What coverage guidance counts: the message kind, or the error with numbers blanked. */
  readonly feature: string;
  /** Everything decoded, compared between chunkings. */
  readonly detail: string;
}

interface Decoded {
  readonly events: Event[];
  /** Bytes left in the reader when the input ended, or 'closed' after a fatal error, Terminate or CancelRequest. */
  readonly pending: number | 'closed';
}

type Stage = 'frame' | 'startup' | 'message';
const allowedCodes: Readonly<Record<Stage, readonly string[]>> = {
  frame: ['08P01'],
  startup: ['08P01', '0A000'],
  message: ['08P01', '22021'],
};

const detail = (value: unknown) => JSON.stringify(value, (_, v: unknown) => (v instanceof Map ? [...v] : v));

/** Checks what a decoding stage threw: the project's error type, the documented codes, FATAL only for framing and startup. */
function errorEvent(stage: Stage, err: unknown): Event {
  if (!(err instanceof SqlError)) throw new Error(`${stage} decoding threw ${String(err)}, not a SqlError`, { cause: err });
  const fatal = stage !== 'message';
  if (err instanceof ConnectionFatal !== fatal || (err.severity === 'FATAL') !== fatal) {
    throw new Error(`${stage} decoding threw ${err.severity} ${err.code} "${err.message}"; expected ${fatal ? 'a ConnectionFatal' : 'an ERROR'}`);
  }
  if (!allowedCodes[stage].includes(err.code)) throw new Error(`${stage} decoding threw SQLSTATE ${err.code} "${err.message}"`);
  const silent = err instanceof ConnectionFatal && err.silent ? ' (silent)' : '';
  return { feature: `${stage}!${err.code} ${err.message.replace(/\d+/g, '#')}`, detail: `${err.severity} ${err.code} ${err.message}${silent}` };
}

/**
 * A framing error. Fed byte by byte, the reader holds exactly the bytes that decided it: the
 * type byte (unknown type), or the header up to the length word (bad or oversized length).
 */
function frameError(err: unknown, reader: FrameReader, phase: Phase, byteWise: boolean): Event {
  const event = errorEvent('frame', err);
  if (byteWise) {
    const header = phase === 'startup' ? 4 : (err as Error).message.startsWith('invalid frontend message type') ? 1 : 5;
    if (reader.bufferedBytes !== header) {
      throw new Error(`"${(err as Error).message}" raised with ${reader.bufferedBytes} bytes buffered, not as soon as the ${header}-byte header arrived`);
    }
  }
  return event;
}

/** Reads every complete packet, as Connection does: startup packets until a StartupMessage, then messages. */
function drain(reader: FrameReader, phase: Phase, events: Event[], byteWise: boolean): Phase | 'closed' {
  for (;;) {
    if (phase === 'startup') {
      let body: Buffer | null;
      try {
        body = reader.nextStartupPacket();
      } catch (err) {
        events.push(frameError(err, reader, phase, byteWise));
        return 'closed';
      }
      if (body === null) return phase;
      try {
        const packet = decodeStartupPacket(body);
        events.push({ feature: `startup:${packet.kind}`, detail: detail(packet) });
        if (packet.kind === 'CancelRequest') return 'closed';
        if (packet.kind === 'StartupMessage') phase = 'messages';
      } catch (err) {
        events.push(errorEvent('startup', err));
        return 'closed';
      }
    } else {
      let frame;
      try {
        frame = reader.nextMessage();
      } catch (err) {
        events.push(frameError(err, reader, phase, byteWise));
        return 'closed';
      }
      if (frame === null) return phase;
      try {
        const message = decodeMessage(frame);
        events.push({ feature: `message:${message.type}`, detail: detail(message) });
      } catch (err) {
        events.push(errorEvent('message', err));
      }
      if (frame.code === FrontendCode.Terminate) return 'closed';
    }
  }
}

/** Message types by length limit, written out independently of the reader as the oracle for its checks. */
const largeTypes = new Set(Buffer.from('QPBdFp'));
const smallTypes = new Set(Buffer.from('SHEDCXcf'));

/**
 * Fed byte by byte, the reader holds exactly the frame it is waiting for, so its start is
 * known: that frame's type must be known and its declared length within the type's limit
 * (anything else had to be rejected as soon as it arrived).
 */
function checkWaiting(bytes: Buffer, buffered: number, received: number, phase: Phase): void {
  const start = received - buffered;
  if (phase === 'startup') {
    const length = buffered >= 4 ? bytes.readUInt32BE(start) : 8;
    if (length < 8 || length > MAX_STARTUP_PACKET_BODY + 4) throw new Error(`waiting for a startup packet of declared length ${length}`);
    return;
  }
  if (buffered === 0) return;
  const type = bytes[start]!;
  if (!largeTypes.has(type) && !smallTypes.has(type)) throw new Error(`waiting for a message of unknown type ${type}`);
  const limit = largeTypes.has(type) ? limits.maxMessageBytes : SMALL_MESSAGE_LIMIT;
  const length = buffered >= 5 ? bytes.readUInt32BE(start + 1) : 4;
  if (length < 4 || length > limit) throw new Error(`waiting for a message of type ${type} and declared length ${length} (limit ${limit})`);
}

function decodeStream(input: FuzzInput, chunks: readonly Buffer[], byteWise = false): Decoded {
  const reader = new FrameReader(limits);
  const events: Event[] = [];
  let state: Phase | 'closed' = input.phase;
  let received = 0;
  largestAllocation();
  for (const chunk of chunks) {
    reader.push(chunk);
    received += chunk.length;
    state = drain(reader, state, events, byteWise);
    const largest = largestAllocation();
    if (largest > received) throw new Error(`allocated a ${largest}-byte Buffer after receiving ${received} bytes`);
    if (state === 'closed') return { events, pending: 'closed' };
    if (byteWise) checkWaiting(input.bytes, reader.bufferedBytes, received, state);
  }
  return { events, pending: reader.bufferedBytes };
}

/** Decodes `input` in one chunk, in random chunks and byte by byte; all three must agree. */
function check(prng: Prng, input: FuzzInput): Decoded {
  const whole = decodeStream(input, [input.bytes]);
  const chunked = decodeStream(input, randomChunks(prng, input.bytes));
  const byteWise = decodeStream(input, [...input.bytes].map((b) => Buffer.of(b)), true);
  const summary = (d: Decoded) => ({ events: d.events.map((e) => e.detail), pending: d.pending });
  expect(summary(chunked), 'random chunks').toEqual(summary(whole));
  expect(summary(byteWise), 'byte by byte').toEqual(summary(whole));
  return whole;
}

/** Features of a run: each event's kind and each pair of consecutive kinds. */
function features(decoded: Decoded): string[] {
  const kinds = decoded.events.map((e) => e.feature);
  return [...kinds, ...kinds.slice(1).map((k, i) => `${kinds[i]} > ${k}`)];
}

describe('codec fuzzing', () => {
  it(`keeps its invariants over ${settings.iterations} mutated inputs (FUZZ_SEED=0x${settings.seed.toString(16)})`, () => {
    const prng = new Prng(settings.seed);
    const corpus: FuzzInput[] = [...fuzzCorpus];
    const seen = new Set<string>();
    fuzzCorpus.forEach((input, i) => features(replayable(settings, -1 - i, input.bytes, () => check(prng, input))).forEach((f) => seen.add(f)));
    const seedFeatures = seen.size;

    for (let i = 0; i < settings.iterations; i++) {
      const mutant = mutate(prng, prng.pick(corpus), corpus, limits.maxMessageBytes);
      const input = { phase: mutant.phase, bytes: mutant.bytes.subarray(0, MAX_INPUT_BYTES) };
      const found = features(replayable(settings, i, input.bytes, () => check(prng, input))).filter((f) => !seen.has(f));
      found.forEach((f) => seen.add(f));
      if (found.length > 0 && corpus.length < CORPUS_LIMIT) corpus.push(input);
    }
    console.info(
      `codec fuzz: seed 0x${settings.seed.toString(16)}, ${settings.iterations} inputs, corpus ${fuzzCorpus.length} → ${corpus.length}, ` +
        `features ${seedFeatures} → ${seen.size}`,
    );
  });
});
