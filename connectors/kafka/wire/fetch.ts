/**
 * Reading one partition's offset range straight from its leader with Kafka's Fetch request
 * (version 4: brokers from 0.11 through 4.x answer it), on a socket of its own. No consumer
 * group is joined and no offset is ever committed: the reader only asks for bytes.
 *
 *   request:  size, api key 1, version 4, correlation id, client id,
 *             replica -1, max wait, min bytes, max bytes, isolation level,
 *             [topic, [partition, fetch offset, partition max bytes]]
 *   response: size, correlation id, throttle time,
 *             [topic, [partition, error code, high watermark, last stable offset,
 *                      [aborted transactions], record set]]
 */
import { connect, type Socket } from 'node:net';
import { kafkaProtocolError } from '../errors.js';
import { decodeRecordBatches, type KafkaRecord } from './record-batch.js';

const FETCH_API_KEY = 1;
const FETCH_VERSION = 4;
/** How long the broker may wait for data: the reader only asks for offsets below the high watermark it saw. */
const MAX_WAIT_MS = 500;
const PARTITION_MAX_BYTES = 1 << 20;
const CONNECT_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;

/** Broker error codes a reader reacts to (Kafka's protocol error table). */
export const KafkaErrorCode = {
  NONE: 0,
  OFFSET_OUT_OF_RANGE: 1,
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  LEADER_NOT_AVAILABLE: 5,
  NOT_LEADER_OR_FOLLOWER: 6,
  REPLICA_NOT_AVAILABLE: 9,
  KAFKA_STORAGE_ERROR: 56,
} as const;

/** Errors after which the partition's leader should be looked up again. */
export const LEADER_MOVED: ReadonlySet<number> = new Set([
  KafkaErrorCode.LEADER_NOT_AVAILABLE, KafkaErrorCode.NOT_LEADER_OR_FOLLOWER, KafkaErrorCode.REPLICA_NOT_AVAILABLE, KafkaErrorCode.KAFKA_STORAGE_ERROR,
]);

export interface FetchedPartition {
  readonly errorCode: number;
  readonly highWatermark: number;
  readonly records: KafkaRecord[];
  /** Where the next fetch starts: after the last complete batch, or `offset` when none came. */
  readonly nextOffset: number;
}

/** The request was cancelled through its AbortSignal. */
export class FetchAborted extends Error {
  constructor() {
    super('fetch aborted');
    this.name = 'FetchAborted';
  }
}

/** One socket to one broker, one request at a time. */
export class BrokerConnection {
  private correlationId = 0;
  private buffered: Buffer[] = [];
  private bufferedBytes = 0;
  /** Bytes of the response being received (size prefix included); -1 until its prefix is in. */
  private expected = -1;
  private pending: { resolve: (frame: Buffer) => void; reject: (e: Error) => void } | undefined;
  private failure: Error | undefined;

  private constructor(private readonly socket: Socket, readonly address: string, private readonly clientId: string) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (e) => this.fail(e));
    socket.on('close', () => this.fail(new Error(`connection to ${address} closed`)));
  }

  /** Opens a connection to `host:port`; aborting `signal` closes it. */
  static async open(address: string, clientId: string, signal: AbortSignal): Promise<BrokerConnection> {
    const [host, port] = splitAddress(address);
    const socket = connect({ host, port, noDelay: true });
    const conn = new BrokerConnection(socket, address, clientId);
    const onAbort = () => socket.destroy(new FetchAborted());
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('close', () => signal.removeEventListener('abort', onAbort));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => socket.destroy(new Error(`connection to ${address} timed out after ${CONNECT_TIMEOUT_MS} ms`)), CONNECT_TIMEOUT_MS);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.once('close', () => {
        clearTimeout(timer);
        reject(conn.failure ?? new Error(`connection to ${address} closed`));
      });
    });
    if (signal.aborted) {
      conn.close();
      throw new FetchAborted();
    }
    return conn;
  }

  close(): void {
    this.socket.destroy();
  }

  /** Fetches from `offset` of one partition: the records of the complete batches the broker sent. */
  async fetch(topic: string, partition: number, offset: number): Promise<FetchedPartition> {
    const topicBytes = Buffer.from(topic, 'utf8');
    const body = Buffer.alloc(4 + 4 + 4 + 4 + 1 + 4 + 2 + topicBytes.length + 4 + 4 + 8 + 4);
    let at = 0;
    at = body.writeInt32BE(-1, at); // replica id: a consumer
    at = body.writeInt32BE(MAX_WAIT_MS, at);
    at = body.writeInt32BE(1, at); // min bytes
    at = body.writeInt32BE(PARTITION_MAX_BYTES, at); // max bytes of the response
    at = body.writeInt8(0, at); // read_uncommitted
    at = body.writeInt32BE(1, at);
    at = body.writeInt16BE(topicBytes.length, at);
    at += topicBytes.copy(body, at);
    at = body.writeInt32BE(1, at);
    at = body.writeInt32BE(partition, at);
    at = body.writeBigInt64BE(BigInt(offset), at);
    body.writeInt32BE(PARTITION_MAX_BYTES, at);
    return parseFetchResponse(await this.request(FETCH_API_KEY, FETCH_VERSION, body), topic, partition, offset);
  }

  private async request(apiKey: number, version: number, body: Buffer): Promise<Buffer> {
    if (this.failure) throw this.failure;
    if (this.pending) throw new Error('a request is already in flight on this connection');
    const correlationId = ++this.correlationId;
    const client = Buffer.from(this.clientId, 'utf8');
    const header = Buffer.alloc(4 + 2 + 2 + 4 + 2 + client.length);
    let at = header.writeInt32BE(header.length - 4 + body.length, 0);
    at = header.writeInt16BE(apiKey, at);
    at = header.writeInt16BE(version, at);
    at = header.writeInt32BE(correlationId, at);
    at = header.writeInt16BE(client.length, at);
    client.copy(header, at);
    const frame = new Promise<Buffer>((resolve, reject) => {
      this.pending = { resolve, reject };
    });
    const timer = setTimeout(() => this.socket.destroy(new Error(`no answer from ${this.address} within ${REQUEST_TIMEOUT_MS} ms`)), REQUEST_TIMEOUT_MS);
    this.socket.write(Buffer.concat([header, body]));
    try {
      const response = await frame;
      const answered = response.readInt32BE(0);
      if (answered !== correlationId) throw kafkaProtocolError(`${this.address} answered request ${answered}, expected ${correlationId}`);
      return response.subarray(4);
    } finally {
      clearTimeout(timer);
    }
  }

  private onData(chunk: Buffer): void {
    this.buffered.push(chunk);
    this.bufferedBytes += chunk.length;
    if (this.expected < 0) {
      if (this.bufferedBytes < 4) return;
      const head = Buffer.concat(this.buffered);
      this.buffered = [head];
      this.expected = 4 + head.readInt32BE(0);
    }
    if (this.bufferedBytes < this.expected) return;
    if (this.bufferedBytes > this.expected || !this.pending) {
      this.socket.destroy(kafkaProtocolError(`${this.address} sent data nobody asked for`));
      return;
    }
    const data = Buffer.concat(this.buffered);
    this.buffered = [];
    this.bufferedBytes = 0;
    this.expected = -1;
    const pending = this.pending;
    this.pending = undefined;
    pending.resolve(data.subarray(4));
  }

  private fail(e: Error): void {
    this.failure ??= e;
    const pending = this.pending;
    this.pending = undefined;
    pending?.reject(this.failure);
  }
}

function parseFetchResponse(frame: Buffer, topic: string, partition: number, offset: number): FetchedPartition {
  let at = 4; // throttle time
  const truncated = () => kafkaProtocolError(`truncated Fetch response for ${topic}/${partition}`);
  const need = (n: number) => {
    if (at + n > frame.length) throw truncated();
  };
  need(4);
  const topics = frame.readInt32BE(at);
  at += 4;
  for (let t = 0; t < topics; t++) {
    need(2);
    const nameLength = frame.readInt16BE(at);
    need(2 + nameLength + 4);
    const name = frame.toString('utf8', at + 2, at + 2 + nameLength);
    at += 2 + nameLength;
    const partitions = frame.readInt32BE(at);
    at += 4;
    for (let p = 0; p < partitions; p++) {
      need(4 + 2 + 8 + 8 + 4);
      const index = frame.readInt32BE(at);
      const errorCode = frame.readInt16BE(at + 4);
      const highWatermark = Number(frame.readBigInt64BE(at + 6));
      const aborted = frame.readInt32BE(at + 22);
      at += 26 + Math.max(aborted, 0) * 16;
      need(4);
      const size = frame.readInt32BE(at);
      at += 4;
      need(Math.max(size, 0));
      const records = size > 0 ? new Uint8Array(frame.buffer, frame.byteOffset + at, size) : new Uint8Array(0);
      at += Math.max(size, 0);
      if (name !== topic || index !== partition) continue;
      if (errorCode !== KafkaErrorCode.NONE) return { errorCode, highWatermark, records: [], nextOffset: offset };
      const decoded = decodeRecordBatches(records, offset);
      return { errorCode, highWatermark, records: decoded.records, nextOffset: decoded.nextOffset ?? offset };
    }
  }
  throw kafkaProtocolError(`the Fetch response has no data for ${topic}/${partition}`);
}

function splitAddress(address: string): [string, number] {
  const m = /^\[?([^\]]*?)\]?:(\d+)$/.exec(address);
  if (!m) throw kafkaProtocolError(`"${address}" is not a host:port address`);
  return [m[1]!, Number(m[2])];
}
