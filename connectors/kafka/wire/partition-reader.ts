/**
 * Reads exactly the offsets [start, end) of one partition from its leader, fetch by fetch,
 * following the leader when it moves. Offsets a compacted topic no longer holds are skipped;
 * offsets deleted by retention since the query started fail the read (HV000).
 */
import { SqlError, SqlState } from '../../../engine/errors/index.js';
import { kafkaProtocolError } from '../errors.js';
import { BrokerConnection, FetchAborted, KafkaErrorCode, LEADER_MOVED } from './fetch.js';
import type { KafkaRecord } from './record-batch.js';

export interface PartitionRange {
  readonly topic: string;
  readonly partition: number;
  readonly start: number;
  readonly end: number;
  /** host:port of the partition's leader when the range was planned. */
  readonly leader: string;
}

/** Times a read looks its leader up again (with a growing pause) before it gives up. */
const LEADER_RETRIES = 5;
/** Empty answers below the end offset tolerated in a row before the read fails. */
const EMPTY_FETCHES = 3;

/**
 * The records of the range, in offset order, one array per fetch. Stops quietly when `signal`
 * aborts (its socket is closed at once); `findLeader` looks up the current leader.
 */
export async function* readPartition(range: PartitionRange, clientId: string, signal: AbortSignal, findLeader: () => Promise<string>): AsyncGenerator<KafkaRecord[]> {
  const { topic, partition, end } = range;
  let offset = range.start;
  let address = range.leader;
  let conn: BrokerConnection | undefined;
  let moves = 0;
  let empty = 0;
  try {
    while (offset < end && !signal.aborted) {
      if (!conn) {
        try {
          conn = await BrokerConnection.open(address, clientId, signal);
        } catch (e) {
          // the leader may have gone down and another taken over
          if (signal.aborted || ++moves > LEADER_RETRIES) throw e;
          await pause(100 * moves, signal);
          address = await findLeader();
          continue;
        }
      }
      const r = await conn.fetch(topic, partition, offset);
      if (LEADER_MOVED.has(r.errorCode)) {
        conn.close();
        conn = undefined;
        if (++moves > LEADER_RETRIES) throw kafkaProtocolError(`partition ${partition} of topic "${topic}" has no available leader (error code ${r.errorCode})`);
        await pause(100 * moves, signal);
        address = await findLeader();
        continue;
      }
      if (r.errorCode === KafkaErrorCode.OFFSET_OUT_OF_RANGE) {
        throw new SqlError(SqlState.FDW_ERROR, `Kafka: partition ${partition} of topic "${topic}" no longer holds offset ${offset}; retention deleted it after the query started`, {
          hint: 'Run the query again.',
        });
      }
      if (r.errorCode === KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION) throw kafkaProtocolError(`topic "${topic}" (partition ${partition}) no longer exists`);
      if (r.errorCode !== KafkaErrorCode.NONE) throw kafkaProtocolError(`the broker at ${address} answered error code ${r.errorCode} reading partition ${partition} of topic "${topic}"`);
      const wanted = r.records.length > 0 && r.records[r.records.length - 1]!.offset >= end ? r.records.filter((x) => x.offset < end) : r.records;
      if (wanted.length > 0) yield wanted;
      if (r.nextOffset > offset) {
        offset = r.nextOffset;
        empty = 0;
      } else if (r.highWatermark <= offset) {
        return; // the log ends before `end` (it was truncated after an unclean leader election)
      } else if (++empty >= EMPTY_FETCHES) {
        throw kafkaProtocolError(`the broker at ${address} sent no data for partition ${partition} of topic "${topic}" at offset ${offset}`);
      }
    }
  } catch (e) {
    if (e instanceof FetchAborted || signal.aborted) return;
    throw e;
  } finally {
    conn?.close();
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
