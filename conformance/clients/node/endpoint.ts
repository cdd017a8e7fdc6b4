// The endpoint the node client suites connect to, from the variables scripts/test-all.sh exports.
import type pg from 'pg';

export const endpoint = (applicationName: string): pg.ClientConfig => ({
  host: process.env.LAKEGATE_HOST ?? '127.0.0.1',
  port: Number(process.env.LAKEGATE_PORT ?? 7432),
  user: process.env.LAKEGATE_USER ?? 'lakegate',
  database: process.env.LAKEGATE_DB ?? 'lakegate',
  password: process.env.LAKEGATE_PASSWORD,
  connectionTimeoutMillis: 10_000,
  application_name: applicationName,
});
