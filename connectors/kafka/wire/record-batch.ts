/**
 * Kafka's record batches (message format v2, Kafka 0.11+), as a Fetch response carries them:
 * a 61-byte batch header, then the records, compressed as a whole when the batch says so.
 * Control batches (transaction markers) hold no messages and are skipped; a batch the broker
 * cut off at the response's size limit ends the data.
 */
import { kafkaProtocolError } from '../errors.js';
import { decompressRecords } from './compression.js';

export interface KafkaRecord {
  readonly offset: number;
  /** Milliseconds since 1970 (the create time, or the log-append time when the topic uses it); -1: none. */
  readonly timestamp: number;
  readonly key: Uint8Array | null;
  readonly value: Uint8Array | null;
  readonly headers: readonly (readonly [string, Uint8Array | null])[];
}

export interface DecodedBatches {
  readonly records: KafkaRecord[];
  /** The offset after the last complete batch (batches may end past their last record); undefined when none was complete. */
  readonly nextOffset: number | undefined;
}

const HEADER_BYTES = 61;
const ATTR_COMPRESSION = 0x07;
const ATTR_LOG_APPEND_TIME = 0x08;
const ATTR_CONTROL = 0x20;
const text = new TextDecoder();

/** The records with offset ≥ `from` in the complete batches of a fetched partition's record set. */
export function decodeRecordBatches(data: Uint8Array, from: number): DecodedBatches {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const records: KafkaRecord[] = [];
  let nextOffset: number | undefined;
  for (let at = 0; at + 17 <= data.length;) {
    const baseOffset = Number(view.getBigInt64(at));
    const size = 12 + view.getInt32(at + 8);
    if (at + size > data.length) break; // cut off by the fetch size limit
    const magic = view.getInt8(at + 16);
    if (magic !== 2) {
      throw kafkaProtocolError(`message format v${magic} (written by Kafka before 0.11) is not supported; the topic must be rewritten with a newer client`);
    }
    const attributes = view.getInt16(at + 21);
    const lastOffsetDelta = view.getInt32(at + 23);
    nextOffset = baseOffset + lastOffsetDelta + 1;
    if ((attributes & ATTR_CONTROL) === 0 && nextOffset > from) {
      const baseTimestamp = Number(view.getBigInt64(at + 27));
      const maxTimestamp = Number(view.getBigInt64(at + 35));
      const count = view.getInt32(at + 57);
      const body = decompressRecords(attributes & ATTR_COMPRESSION, data.subarray(at + HEADER_BYTES, at + size));
      readRecords(body, count, baseOffset, (attributes & ATTR_LOG_APPEND_TIME) !== 0 ? maxTimestamp : undefined, baseTimestamp, from, records);
    }
    at += size;
  }
  return { records, nextOffset };
}

function readRecords(body: Uint8Array, count: number, baseOffset: number, logAppendTime: number | undefined, baseTimestamp: number, from: number, out: KafkaRecord[]): void {
  const r = new Reader(body);
  for (let i = 0; i < count; i++) {
    const length = r.varint();
    const end = r.at + length;
    r.at += 1; // attributes (unused)
    const timestampDelta = r.varint();
    const offset = baseOffset + r.varint();
    const key = r.bytes();
    const value = r.bytes();
    const headers: [string, Uint8Array | null][] = [];
    for (let h = r.varint(); h > 0; h--) {
      const name = r.bytes();
      headers.push([name === null ? '' : text.decode(name), r.bytes()]);
    }
    if (r.at !== end) throw kafkaProtocolError(`record at offset ${offset} is ${length} bytes long but its fields take ${r.at - end + length}`);
    if (offset >= from) out.push({ offset, timestamp: logAppendTime ?? baseTimestamp + timestampDelta, key, value, headers });
  }
}

class Reader {
  at = 0;
  constructor(readonly data: Uint8Array) {}

  /** A zig-zag varint (up to 64 bits; values beyond 2^53 lose precision, which offsets and lengths never reach). */
  varint(): number {
    let raw = 0;
    let scale = 1;
    for (let shift = 0; ; shift += 7) {
      if (this.at >= this.data.length || shift > 63) throw kafkaProtocolError('truncated record');
      const b = this.data[this.at++]!;
      raw += (b & 0x7f) * scale;
      scale *= 128;
      if (b < 0x80) break;
    }
    return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
  }

  /** A varint length then that many bytes; length -1 is null. */
  bytes(): Uint8Array | null {
    const n = this.varint();
    if (n < 0) return null;
    if (this.at + n > this.data.length) throw kafkaProtocolError('truncated record');
    const out = this.data.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }
}
