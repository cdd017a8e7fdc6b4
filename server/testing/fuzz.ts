/**
 * Mutation fuzzing support for the wire codec's fuzz tests (`protocol/codec.fuzz.test.ts`,
 * `wire.fuzz.test.ts`) and the sign-in fuzz tests (`sasl-fuzz.ts`): a seeded PRNG, the run
 * settings (FUZZ_SEED, FUZZ_ITERATIONS), a seed corpus of valid frontend traffic — built here,
 * captured from real clients and kept from past failures (`fuzz-corpus/`, README.md there) — and
 * havoc-style mutators (bit flips, insertions, deletions, corrupted length words and counts,
 * truncation, splicing, random chunking). No dependency.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FrontendCode, StartupCode } from '../protocol/codes.js';
import { MAX_STARTUP_PACKET_BODY, SMALL_MESSAGE_LIMIT } from '../protocol/frame-reader.js';
import { encodeFrontend, type WireJson } from './wire-client.js';

/** mulberry32: a small, fast, seedable PRNG (the run is reproducible from its seed). */
export class Prng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  chance(p: number): boolean {
    return this.next() < p;
  }
}

function envInteger(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer (decimal or 0x hex), got ${JSON.stringify(raw)}`);
  return n;
}

export interface FuzzSettings {
  /** FUZZ_SEED (decimal or 0x hex); fixed by default so CI runs are reproducible. */
  readonly seed: number;
  /** FUZZ_ITERATIONS: mutated inputs fed to the pure codec; the live server gets one connection per 25. */
  readonly iterations: number;
}

export const DEFAULT_FUZZ_SEED = 0x1a4e6a7e;
export const DEFAULT_FUZZ_ITERATIONS = 15_000;

export function fuzzSettings(): FuzzSettings {
  return {
    seed: envInteger('FUZZ_SEED', DEFAULT_FUZZ_SEED) >>> 0,
    iterations: envInteger('FUZZ_ITERATIONS', DEFAULT_FUZZ_ITERATIONS),
  };
}

/** Runs one fuzz case; a failure is rethrown with what is needed to replay it. */
export function replayable<T>(settings: FuzzSettings, iteration: number, input: Buffer, run: () => T): T {
  try {
    return run();
  } catch (err) {
    throw replayError(settings, iteration, input, err);
  }
}

export function replayError(settings: FuzzSettings, iteration: number, input: Buffer, err: unknown): Error {
  const reason = err instanceof Error ? (err.stack ?? err.message) : String(err);
  return new Error(
    `fuzz case ${iteration} failed; replay with FUZZ_SEED=0x${settings.seed.toString(16)} FUZZ_ITERATIONS=${settings.iterations}\n` +
      `input (hex): ${input.toString('hex')}\n${reason}`,
    { cause: err },
  );
}

/** Where the input starts: before the startup packet, or in the message phase after it. */
export type Phase = 'startup' | 'messages';

export interface FuzzInput {
  readonly phase: Phase;
  readonly bytes: Buffer;
}

const wire = (...messages: WireJson[]) => Buffer.concat(messages.map(encodeFrontend));
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
};
/** A typed message the wire client has no JSON form for ('p' password/SASL, 'F' FunctionCall). */
export const typed = (code: string, ...body: Buffer[]) => {
  const b = Buffer.concat(body);
  return Buffer.concat([Buffer.from(code, 'latin1'), u32(b.length + 4), b]);
};

const startup = (parameters: Record<string, string>, protocolVersion = 196608): WireJson => ({
  Type: 'StartupMessage',
  ProtocolVersion: protocolVersion,
  Parameters: parameters,
});
const user = { user: 'u', database: 'd' };
const clientFirst = Buffer.from('n,,n=,r=rOprNGfwEbeRWgbN');

/** Hand-built valid frontend traffic after startup: every message type the gateway decodes. */
const builtMessages: readonly Buffer[] = [
  wire({ Type: 'Query', String: 'select 1' }),
  wire({ Type: 'Query', String: "select 'é€😀'; select 1" }, { Type: 'Query', String: '' }),
  wire(
    { Type: 'Parse', Name: 's1', Query: 'select $1', ParameterOIDs: [23, 25] },
    { Type: 'Bind', DestinationPortal: 'p1', PreparedStatement: 's1', ParameterFormatCodes: [0, 1], Parameters: ['42', { binary: '0000002a' }, null], ResultFormatCodes: [1] },
    { Type: 'Describe', ObjectType: 'P', Name: 'p1' },
    { Type: 'Execute', Portal: 'p1', MaxRows: 5 },
    { Type: 'Sync' },
  ),
  wire(
    { Type: 'Parse', Query: 'select $1', ParameterOIDs: [23] },
    { Type: 'Describe', ObjectType: 'S', Name: '' },
    { Type: 'Bind', ParameterFormatCodes: [1], Parameters: [{ binary: '00000007' }], ResultFormatCodes: [0] },
    { Type: 'Execute' },
    { Type: 'Close', ObjectType: 'P', Name: '' },
    { Type: 'Close', ObjectType: 'S', Name: '' },
    { Type: 'Flush' },
    { Type: 'Sync' },
  ),
  wire({ Type: 'CopyData', Data: '1\tone\n' }, { Type: 'CopyDone' }, { Type: 'CopyFail', Message: 'client gave up' }),
  Buffer.concat([
    typed('p', Buffer.from('secret\0')),
    typed('p', Buffer.from('SCRAM-SHA-256\0'), u32(clientFirst.length), clientFirst),
    typed('p', Buffer.from('c=biws,r=rOprNGfwEbeRWgbNEkqO,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=')),
  ]),
  typed('F', u32(1598), Buffer.from('0001000100010000000400000001000100', 'hex')),
  wire({ Type: 'Sync' }, { Type: 'Terminate' }),
];

/** Hand-built valid startup-phase traffic: each encryption request, CancelRequest, protocol versions and options. */
const builtStartup: readonly Buffer[] = [
  wire(startup({ ...user, application_name: 'fuzz', client_encoding: 'UTF8' }), { Type: 'Query', String: 'select 1' }, { Type: 'Terminate' }),
  wire({ Type: 'SSLRequest' }, startup(user)),
  wire({ Type: 'GSSEncRequest' }, startup(user)),
  wire({ Type: 'CancelRequest', ProcessID: 1234, SecretKey: -5 }),
  wire(startup({ ...user, _pq_: 'x', '_pq_.compression': 'on' }, 196610)),
  wire(startup({ user: 'ü', options: '-c search_path=x' })),
];

/** The corpus folder: sessions captured from real clients, and past failing inputs (README.md there). */
export const CORPUS_DIR = fileURLToPath(new URL('fuzz-corpus/', import.meta.url));

/** A corpus file's bytes: `.bin` as they are; `.hex` hex digits, whitespace and `#` comments ignored. */
export function readCorpusFile(path: string): Buffer {
  if (path.endsWith('.bin')) return readFileSync(path);
  if (!path.endsWith('.hex')) throw new Error(`${path}: corpus files end in .bin or .hex`);
  const digits = readFileSync(path, 'utf8').replace(/#.*$/gm, '').replace(/\s+/g, '');
  if (!/^(?:[0-9a-f]{2})*$/i.test(digits)) throw new Error(`${path}: not an even number of hex digits`);
  return Buffer.from(digits, 'hex');
}

export interface CorpusFile {
  readonly name: string;
  readonly bytes: Buffer;
}

const corpusFolder = (folder: string): CorpusFile[] =>
  readdirSync(join(CORPUS_DIR, folder))
    .sort()
    .map((name) => ({ name, bytes: readCorpusFile(join(CORPUS_DIR, folder, name)) }));

/** Client→server bytes of real sessions (psql, node-postgres, psycopg, pgJDBC) from the connection's first byte. */
export const capturedSessions: readonly CorpusFile[] = corpusFolder('captured');

/**
 * What a crash file holds, named by the first word of its file name: a startup-phase input
 * (`startup-`), message-phase traffic after a valid startup (`messages-`), or the body of a
 * SASLInitialResponse (`scram-`, `oauthbearer-`).
 */
export const CRASH_KINDS = ['startup', 'messages', 'scram', 'oauthbearer'] as const;
export type CrashKind = (typeof CRASH_KINDS)[number];

/** Past failing inputs, replayed by the fuzz tests as regression seeds. */
export const crashInputs: readonly (CorpusFile & { readonly kind: CrashKind })[] = corpusFolder('crashes').map((file) => {
  const kind = CRASH_KINDS.find((k) => file.name.startsWith(`${k}-`));
  if (!kind) throw new Error(`fuzz-corpus/crashes/${file.name}: the name must start with one of ${CRASH_KINDS.map((k) => `${k}-`).join(', ')}`);
  return { ...file, kind };
});

export const crashesOf = (kind: CrashKind): Buffer[] => crashInputs.filter((c) => c.kind === kind).map((c) => c.bytes);

/**
 * A session split where sign-in ends: the bodies of its first run of 'p' messages (SASL or
 * password), and every message after them as message-phase traffic.
 */
function splitSignIn(bytes: Buffer): { signIn: Buffer[]; messages: Buffer } {
  const { frames, tail } = splitFrames({ phase: 'startup', bytes });
  const first = frames.findIndex((f) => f.head.length === 5);
  if (first < 0) return { signIn: [], messages: Buffer.alloc(0) };
  let end = first;
  while (end < frames.length && frames[end]!.head[0] === FrontendCode.Password) end++;
  return { signIn: frames.slice(first, end).map((f) => f.body), messages: joinFrames(frames.slice(end), tail) };
}

const capturedParts = capturedSessions.map(({ bytes }) => splitSignIn(bytes));

/** The SASLInitialResponse bodies of the captured sign-ins. */
export const capturedSaslInitial: readonly Buffer[] = capturedParts.flatMap((p) => p.signIn.slice(0, 1));

/** Valid frontend traffic after startup: hand-built, captured after sign-in, and `messages-` crash files. */
export const messageCorpus: readonly Buffer[] = [...builtMessages, ...capturedParts.map((p) => p.messages).filter((m) => m.length > 0), ...crashesOf('messages')];

/** Valid startup-phase traffic: hand-built, whole captured sessions, and `startup-` crash files. */
export const startupCorpus: readonly Buffer[] = [...builtStartup, ...capturedSessions.map((s) => s.bytes), ...crashesOf('startup')];

export const fuzzCorpus: readonly FuzzInput[] = [
  ...startupCorpus.map((bytes) => ({ phase: 'startup' as const, bytes })),
  ...messageCorpus.map((bytes) => ({ phase: 'messages' as const, bytes })),
];

/** One packet of an input: its type byte (none for startup packets) and length word, and its body. */
interface Frame {
  readonly head: Buffer;
  readonly body: Buffer;
}

/**
 * The input's complete, well-formed frames, found by walking it as the frame reader would
 * (startup packets until one that is not an encryption request, then typed messages); `tail`
 * is whatever follows the last one (a partial frame, or everything after a bad length word).
 */
function splitFrames(input: FuzzInput): { frames: Frame[]; tail: Buffer } {
  const { bytes } = input;
  const frames: Frame[] = [];
  let startupPhase = input.phase === 'startup';
  let pos = 0;
  for (;;) {
    const headLength = startupPhase ? 4 : 5;
    if (pos + headLength > bytes.length) break;
    const length = bytes.readUInt32BE(pos + headLength - 4);
    const end = pos + headLength - 4 + length;
    if (length < 4 || end > bytes.length) break;
    const body = bytes.subarray(pos + headLength, end);
    if (startupPhase) {
      const code = body.length >= 4 ? body.readUInt32BE(0) : 0;
      startupPhase = code === StartupCode.SSLRequest || code === StartupCode.GSSENCRequest;
    }
    frames.push({ head: bytes.subarray(pos, pos + headLength), body });
    pos = end;
  }
  return { frames, tail: bytes.subarray(pos) };
}

/** Serializes frames with length words that match their bodies. */
function joinFrames(frames: readonly Frame[], tail: Buffer): Buffer {
  return Buffer.concat([
    ...frames.flatMap(({ head, body }) => {
      const h = Buffer.from(head);
      h.writeUInt32BE(body.length + 4, h.length - 4);
      return [h, body];
    }),
    tail,
  ]);
}

/** Length words that probe the limits: 0, below 4, the limits and one past them, sign bits, 2^32−1. */
function interestingLength(prng: Prng, current: number, maxMessageBytes: number): number {
  return prng.pick([
    0, 1, 3, 4, 5, 7, 8, current - 1, current + 1, current + 2, current * 2,
    SMALL_MESSAGE_LIMIT, SMALL_MESSAGE_LIMIT + 1, MAX_STARTUP_PACKET_BODY + 4, MAX_STARTUP_PACKET_BODY + 5,
    maxMessageBytes, maxMessageBytes + 1, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, prng.int(0x100000000),
  ]) >>> 0;
}

/** int16 / int32 values for counts, parameter lengths and codes: −1, −2, 0, sign bits, maxima. */
const interestingInt16 = [0, 1, 2, 3, 0x7fff, 0x8000, 0xfffe, 0xffff];
const interestingInt32 = [0, 1, 2, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, 196608, StartupCode.SSLRequest, StartupCode.CancelRequest];
/** Message type bytes: every frontend code, a few backend-only ones, 0 and 0xff. */
const typeBytes = [...Buffer.from('BCdcfDEHFPpQSXzZTN\0\xff', 'latin1')];

const at = (prng: Prng, bytes: Buffer) => prng.int(bytes.length + 1);
const randomBytes = (prng: Prng, n: number) => Buffer.from(Array.from({ length: n }, () => prng.int(256)));

/** Byte-level mutations, applied to a whole input or to one frame's body. */
export const byteMutators: readonly ((prng: Prng, bytes: Buffer) => Buffer)[] = [
  // bit flip
  (prng, bytes) => {
    if (bytes.length === 0) return bytes;
    const out = Buffer.from(bytes);
    out[prng.int(out.length)] ^= 1 << prng.int(8);
    return out;
  },
  // one byte set to a boundary value
  (prng, bytes) => {
    if (bytes.length === 0) return bytes;
    const out = Buffer.from(bytes);
    out[prng.int(out.length)] = prng.pick([0, 1, 0x7f, 0x80, 0xc3, 0xed, 0xff, prng.int(256)]);
    return out;
  },
  // insertion: random bytes, NULs or invalid UTF-8
  (prng, bytes) => {
    const i = at(prng, bytes);
    const ins = prng.pick([randomBytes(prng, 1 + prng.int(8)), Buffer.alloc(1 + prng.int(4)), Buffer.from('c328ff', 'hex')]);
    return Buffer.concat([bytes.subarray(0, i), ins, bytes.subarray(i)]);
  },
  // deletion
  (prng, bytes) => {
    const i = at(prng, bytes);
    return Buffer.concat([bytes.subarray(0, i), bytes.subarray(i + 1 + prng.int(8))]);
  },
  // a count, parameter length or code overwritten
  (prng, bytes) => {
    const wide = prng.chance(0.5);
    if (bytes.length < (wide ? 4 : 2)) return bytes;
    const out = Buffer.from(bytes);
    const i = prng.int(out.length - (wide ? 3 : 1));
    if (wide) out.writeUInt32BE(prng.pick(interestingInt32) >>> 0, i);
    else out.writeUInt16BE(prng.pick(interestingInt16), i);
    return out;
  },
  // truncation
  (prng, bytes) => bytes.subarray(0, prng.int(bytes.length + 1)),
  // a slice repeated
  (prng, bytes) => {
    const i = at(prng, bytes);
    const j = Math.min(bytes.length, i + 1 + prng.int(64));
    const slice = bytes.subarray(i, j);
    return Buffer.concat([bytes.subarray(0, j), ...Array.from({ length: 1 + prng.int(3) }, () => slice), bytes.subarray(j)]);
  },
];

type Mutator = (prng: Prng, input: FuzzInput, corpus: readonly FuzzInput[], maxMessageBytes: number) => Buffer;

/** One frame's body mutated, its length word kept consistent: reaches the body decoders and the session. */
const mutateBody: Mutator = (prng, input) => {
  const { frames, tail } = splitFrames(input);
  if (frames.length === 0) return input.bytes;
  const i = prng.int(frames.length);
  frames[i] = { head: frames[i]!.head, body: prng.pick(byteMutators)(prng, frames[i]!.body) };
  return joinFrames(frames, tail);
};

/** Other mutations that know the framing. */
const frameMutators: readonly Mutator[] = [
  // a frame's length word corrupted: 0, negative, huge, off by one, the limits
  (prng, input, _, maxMessageBytes) => {
    const { frames } = splitFrames(input);
    if (frames.length === 0) return input.bytes;
    const out = Buffer.from(input.bytes);
    const i = prng.int(frames.length);
    const offset = frames.slice(0, i).reduce((n, f) => n + f.head.length + f.body.length, 0) + frames[i]!.head.length - 4;
    out.writeUInt32BE(interestingLength(prng, out.readUInt32BE(offset), maxMessageBytes), offset);
    return out;
  },
  // a message type byte replaced
  (prng, input) => {
    const { frames, tail } = splitFrames(input);
    const typed = frames.filter((f) => f.head.length === 5);
    if (typed.length === 0) return input.bytes;
    const f = prng.pick(typed);
    frames[frames.indexOf(f)] = { head: Buffer.concat([Buffer.of(prng.pick(typeBytes)), f.head.subarray(1)]), body: f.body };
    return joinFrames(frames, tail);
  },
  // a frame of another input inserted, or one of this input dropped or repeated
  (prng, input, corpus) => {
    const { frames, tail } = splitFrames(input);
    const other = splitFrames(prng.pick(corpus)).frames;
    const i = prng.int(frames.length + 1);
    const minStart = input.phase === 'startup' ? 1 : 0;
    switch (prng.int(3)) {
      case 0:
        if (other.length > 0 && i >= minStart) frames.splice(i, 0, prng.pick(other));
        break;
      case 1:
        if (i < frames.length) frames.splice(i, 1);
        break;
      default:
        if (i < frames.length) frames.splice(i, 0, frames[i]!);
    }
    return joinFrames(frames, tail);
  },
  // splice: a prefix of this input and a suffix of another
  (prng, { bytes }, corpus) => {
    const other = prng.pick(corpus).bytes;
    return Buffer.concat([bytes.subarray(0, at(prng, bytes)), other.subarray(at(prng, other))]);
  },
];

/**
 * One to four stacked mutations of `input` (AFL's havoc stage): 40 % a frame's body with its
 * length kept consistent, 35 % other framing-aware ones (a corrupted length word or type
 * byte, frames inserted, dropped or repeated, splicing), 25 % byte-level on the whole input
 * (which mostly breaks the framing, so it is the rarest).
 */
export function mutate(prng: Prng, input: FuzzInput, corpus: readonly FuzzInput[], maxMessageBytes: number): FuzzInput {
  let bytes = input.bytes;
  for (let n = 1 + prng.int(4); n > 0; n--) {
    const r = prng.next();
    const current = { phase: input.phase, bytes };
    if (r < 0.4) bytes = mutateBody(prng, current, corpus, maxMessageBytes);
    else if (r < 0.75) bytes = prng.pick(frameMutators)(prng, current, corpus, maxMessageBytes);
    else bytes = prng.pick(byteMutators)(prng, bytes);
  }
  return { phase: input.phase, bytes };
}

/** The bytes cut at random points into 1–16 pieces, as TCP may deliver them. */
export function randomChunks(prng: Prng, bytes: Buffer): Buffer[] {
  const cuts = new Set<number>();
  for (let n = prng.int(Math.min(16, bytes.length + 1)); n > 0; n--) cuts.add(1 + prng.int(Math.max(1, bytes.length - 1)));
  const points = [0, ...[...cuts].sort((a, b) => a - b).filter((p) => p < bytes.length), bytes.length];
  return points.slice(1).map((end, i) => bytes.subarray(points[i]!, end));
}
