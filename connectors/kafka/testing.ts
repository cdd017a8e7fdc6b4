/**
 * For the connector's tests: the test broker (scripts/services/kafka.sh, 127.0.0.1:
 * KAFKA_TEST_PORT) and kafkajs clients to create topics and produce messages with.
 */
import kafkajs, { type Admin, type ITopicConfig, type Message } from 'kafkajs';

const { Kafka, logLevel, Partitioners } = kafkajs;

export const TEST_BROKERS = `127.0.0.1:${process.env.KAFKA_TEST_PORT ?? '19092'}`;

// short retries: a fresh broker creates its offsets topic on the first group request
export const testKafka = () => new Kafka({ clientId: 'lakegate-test', brokers: [TEST_BROKERS], logLevel: logLevel.NOTHING, retry: { initialRetryTime: 100, retries: 10 } });

/** A name no earlier run used (topics outlive a test run until the broker restarts). */
export const uniqueName = (prefix: string): string => `${prefix}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6).toString(36)}`;

export async function withAdmin<T>(fn: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect();
  }
}

export const createTopics = (topics: ITopicConfig[]): Promise<boolean> => withAdmin((admin) => admin.createTopics({ topics, waitForLeaders: true }));

export async function produce(topic: string, messages: Message[]): Promise<void> {
  const producer = testKafka().producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    await producer.send({ topic, messages, acks: -1 });
  } finally {
    await producer.disconnect();
  }
}
