/**
 * For the mysql connector's tests: the test server (scripts/services/mariadb.sh, port
 * MYSQL_TEST_PORT, user lakegate/lakegate) and a direct administrative connection that sets
 * up fixtures and looks at the server (process list, global settings) behind Lakegate's back.
 */
import { createConnection, type Connection } from 'mysql2';
import { bindable } from './client.js';

export const TEST_PORT = Number(process.env.MYSQL_TEST_PORT ?? 33069);

/** Catalog properties for the test server. */
export const testProperties = (extra: Record<string, string> = {}): Record<string, string> => ({
  'connection-url': `jdbc:mariadb://127.0.0.1:${TEST_PORT}`,
  'connection-user': 'lakegate',
  'connection-password': 'lakegate',
  ...extra,
});

/** A plain connection of the test user (server defaults, no pinned session). */
export class AdminConnection {
  private readonly conn: Connection;

  constructor() {
    this.conn = createConnection({
      host: '127.0.0.1', port: TEST_PORT, user: 'lakegate', password: 'lakegate', charset: 'UTF8MB4_GENERAL_CI',
      supportBigNumbers: true, bigNumberStrings: true, dateStrings: true, multipleStatements: false,
    });
  }

  /** Runs one statement; values (if any) are bound parameters of a prepared statement. */
  run(sql: string, values: readonly unknown[] = []): Promise<unknown[][]> {
    return new Promise((resolve, reject) => {
      const done = (e: Error | null, rows: unknown) => (e ? reject(e) : resolve(Array.isArray(rows) ? (rows as unknown[][]) : []));
      if (values.length === 0) this.conn.query({ sql, rowsAsArray: true }, done);
      else this.conn.execute({ sql, values: bindable(values), rowsAsArray: true }, done);
    });
  }

  /** Statements of other connections currently running (not sleeping) on the server. */
  async runningStatements(): Promise<string[]> {
    const rows = await this.run("SELECT INFO FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID() AND COMMAND NOT IN ('Sleep', 'Daemon') AND INFO IS NOT NULL");
    return rows.map((r) => String(r[0]));
  }

  close(): void {
    this.conn.destroy();
  }
}
