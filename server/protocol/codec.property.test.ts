/**
 * Property-based tests of the startup packet and message codec (issue 8 item 5, checklist b.1
 * 29), with fast-check: generated values shrink to a smallest failing case.
 *  - Round trip: every well-formed frontend message and StartupMessage a client can send (any
 *    names, SQL text, parameters, format codes, row counts; split into arbitrary chunks) decodes
 *    to exactly what was encoded.
 *  - Arbitrary bytes after a valid type byte and length word, and arbitrary startup bodies, end
 *    in a decoded message or a SqlError with one of the codes PostgreSQL gives — nothing else
 *    escapes.
 * FUZZ_SEED fixes the seed (as for the mutation fuzzers); runs are bounded (numRuns).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SqlError } from '../../engine/errors/index.js';
import { encodeFrontend, type WireJson } from '../testing/wire-client.js';
import { fuzzSettings } from '../testing/fuzz.js';
import { FrameReader } from './frame-reader.js';
import { decodeMessage, decodeStartupPacket, type FrontendMessage } from './frontend.js';

const { seed } = fuzzSettings();
const RUNS = { seed, numRuns: 400 };
const limits = { maxMessageBytes: 1 << 20 };

/** Text a C string can carry: no NUL. */
const cstring = fc.string({ unit: 'grapheme', maxLength: 40 }).map((s) => s.replaceAll('\0', ''));
const name = fc.oneof(fc.constant(''), cstring);
const int16 = fc.integer({ min: 0, max: 0x7fff });
const format = fc.constantFrom(0, 1);

/** A message as the wire client encodes it, and what decodeMessage must return for it. */
const message: fc.Arbitrary<{ wire: WireJson; decoded: FrontendMessage }> = fc.oneof(
  cstring.map((sql) => ({ wire: { Type: 'Query', String: sql }, decoded: { type: 'Query', sql } })),
  fc.record({ n: name, sql: cstring, oids: fc.array(fc.integer({ min: 0, max: 0x7fffffff }), { maxLength: 8 }) }).map(({ n, sql, oids }) => ({
    wire: { Type: 'Parse', Name: n, Query: sql, ParameterOIDs: oids },
    decoded: { type: 'Parse', name: n, sql, paramTypeOids: oids },
  })),
  fc.record({
    portal: name, statement: name, formats: fc.array(format, { maxLength: 4 }),
    params: fc.array(fc.option(fc.uint8Array({ maxLength: 16 }), { nil: null }), { maxLength: 6 }), results: fc.array(format, { maxLength: 4 }),
  }).map(({ portal, statement, formats, params, results }) => ({
    wire: {
      Type: 'Bind', DestinationPortal: portal, PreparedStatement: statement, ParameterFormatCodes: formats,
      Parameters: params.map((p) => (p === null ? null : { binary: Buffer.from(p).toString('hex') })), ResultFormatCodes: results,
    },
    decoded: { type: 'Bind', portal, statement, paramFormats: formats, params: params.map((p) => (p === null ? null : Buffer.from(p))), resultFormats: results },
  })),
  fc.record({ target: fc.constantFrom('S' as const, 'P' as const), n: name }).map(({ target, n }) => ({
    wire: { Type: 'Describe', ObjectType: target, Name: n }, decoded: { type: 'Describe', target, name: n },
  })),
  fc.record({ target: fc.constantFrom('S' as const, 'P' as const), n: name }).map(({ target, n }) => ({
    wire: { Type: 'Close', ObjectType: target, Name: n }, decoded: { type: 'Close', target, name: n },
  })),
  fc.record({ portal: name, rows: fc.integer({ min: 0, max: 0x7fffffff }) }).map(({ portal, rows }) => ({
    wire: { Type: 'Execute', Portal: portal, MaxRows: rows }, decoded: { type: 'Execute', portal, maxRows: rows },
  })),
  fc.constantFrom('Sync', 'Flush', 'Terminate', 'CopyDone').map((t) => ({ wire: { Type: t }, decoded: { type: t } as FrontendMessage })),
  cstring.map((m) => ({ wire: { Type: 'CopyFail', Message: m }, decoded: { type: 'CopyFail', message: m } })),
);

/** Splits `bytes` at the given cut points (any order, duplicates allowed). */
function chunks(bytes: Buffer, cuts: readonly number[]): Buffer[] {
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const to of [...at, bytes.length]) {
    out.push(bytes.subarray(from, to));
    from = to;
  }
  return out;
}

/** The messages a connection reads from these chunks, in order. */
function readMessages(parts: readonly Buffer[]): FrontendMessage[] {
  const reader = new FrameReader(limits);
  const out: FrontendMessage[] = [];
  for (const part of parts) {
    reader.push(part);
    for (let frame = reader.nextMessage(); frame !== null; frame = reader.nextMessage()) out.push(decodeMessage(frame));
  }
  return out;
}

/** Only a SqlError with one of `codes` may escape `f`. */
function onlySqlErrors(f: () => unknown, codes: readonly string[]): void {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(SqlError);
    expect(codes).toContain((e as SqlError).code);
  }
}

describe('codec properties', () => {
  it('every well-formed message sequence, in any chunks, decodes to what was encoded', () => {
    fc.assert(
      fc.property(fc.array(message, { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 8 }), (messages, cuts) => {
        const bytes = Buffer.concat(messages.map((m) => encodeFrontend(m.wire)));
        expect(readMessages(chunks(bytes, cuts))).toEqual(messages.map((m) => m.decoded));
      }),
      RUNS,
    );
  });

  it('every StartupMessage with any parameters decodes to its parameters', () => {
    const parameter = fc.tuple(cstring.filter((k) => k !== '' && !k.startsWith('_pq_.')), cstring);
    fc.assert(
      fc.property(fc.uniqueArray(parameter, { selector: ([k]) => k, maxLength: 8 }), fc.integer({ min: 0, max: 0xffff }), (parameters, minor) => {
        const packet = encodeFrontend({ Type: 'StartupMessage', ProtocolVersion: (3 << 16) | minor, Parameters: Object.fromEntries(parameters) });
        const reader = new FrameReader(limits);
        reader.push(packet);
        const decoded = decodeStartupPacket(reader.nextStartupPacket()!);
        expect(decoded).toEqual({ kind: 'StartupMessage', minor, parameters: new Map(parameters), protocolOptions: [] });
      }),
      RUNS,
    );
  });

  it('any body under a known type byte decodes or fails with 08P01 / 22021 only', () => {
    const typeByte = fc.constantFrom(...'QPBDECSHXdcfFp'.split('').map((c) => c.charCodeAt(0)));
    fc.assert(
      fc.property(typeByte, fc.uint8Array({ maxLength: 64 }), (code, body) => {
        onlySqlErrors(() => decodeMessage({ code, body: Buffer.from(body) }), ['08P01', '22021']);
      }),
      RUNS,
    );
  });

  it('any startup body decodes or fails with 08P01 / 0A000 only', () => {
    const head = fc.constantFrom(196608, 196609, 80877102, 80877103, 80877104, 131072, 0);
    fc.assert(
      fc.property(head, fc.uint8Array({ maxLength: 64 }), (code, rest) => {
        const body = Buffer.concat([Buffer.from([code >>> 24, (code >>> 16) & 0xff, (code >>> 8) & 0xff, code & 0xff]), Buffer.from(rest)]);
        onlySqlErrors(() => decodeStartupPacket(body), ['08P01', '0A000']);
      }),
      RUNS,
    );
  });
});
