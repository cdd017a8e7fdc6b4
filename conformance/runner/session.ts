/**
 * A connection to the gateway or to a real PostgreSQL that returns every value as
 * the server's text (no client-side parsing), with SQLSTATEs on errors, a
 * client-side timeout backstop and transparent reconnects (re-running the setup
 * statements, e.g. `set search_path`) after the connection is lost.
 */
import pg from 'pg';

export interface Endpoint {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly database: string;
}

export interface Column {
  readonly name: string;
  readonly typeOid: number;
}

export interface TextResult {
  readonly columns: readonly Column[];
  readonly rows: readonly (readonly (string | null)[])[];
  readonly command: string;
}

/** A failed statement: `code` is the SQLSTATE, or '' when the connection failed. */
export class StatementError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

type Parser = (value: string) => string;
const RAW_TEXT = { getTypeParser: () => ((v: string) => v) as Parser } as unknown as pg.CustomTypesConfig;

export interface SessionOptions {
  readonly applicationName: string;
  /** Statements run after every (re)connect, e.g. `set search_path to x`. */
  readonly setup?: readonly string[];
  /** Server-side statement_timeout and client-side backstop (ms). */
  readonly timeoutMs?: number;
}

export class Session {
  private client: pg.Client | undefined;
  private readonly setup: string[];

  private constructor(
    readonly endpoint: Endpoint,
    private readonly options: SessionOptions,
  ) {
    this.setup = [...(options.setup ?? [])];
  }

  static async open(endpoint: Endpoint, options: SessionOptions): Promise<Session> {
    const session = new Session(endpoint, options);
    await session.connect();
    return session;
  }

  /** Adds a statement to the setup of future reconnects and runs it now. */
  async addSetup(sql: string): Promise<void> {
    this.setup.push(sql);
    await this.query(sql);
  }

  private get timeoutMs(): number {
    return this.options.timeoutMs ?? 60_000;
  }

  private async connect(): Promise<pg.Client> {
    const client = new pg.Client({
      ...this.endpoint,
      connectionTimeoutMillis: 10_000,
      application_name: this.options.applicationName,
    });
    client.on('error', () => {
      if (this.client === client) this.client = undefined;
    });
    await client.connect();
    this.client = client;
    await this.run(client, `set statement_timeout = ${this.timeoutMs}`);
    for (const sql of this.setup) await this.run(client, sql);
    return client;
  }

  /** Runs one statement (simple protocol); for a multi-statement string, the last result. */
  async query(sql: string): Promise<TextResult> {
    const client = this.client ?? (await this.connect());
    return this.run(client, sql);
  }

  private async run(client: pg.Client, sql: string): Promise<TextResult> {
    let timer: NodeJS.Timeout | undefined;
    const backstop = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new StatementError('', `no answer after ${this.timeoutMs + 5000} ms (client-side timeout)`)), this.timeoutMs + 5000);
    });
    try {
      const raw = (await Promise.race([client.query({ text: sql, rowMode: 'array', types: RAW_TEXT }), backstop])) as
        | pg.QueryArrayResult
        | pg.QueryArrayResult[];
      const last = Array.isArray(raw) ? raw[raw.length - 1]! : raw;
      return {
        columns: (last.fields ?? []).map((f) => ({ name: f.name, typeOid: f.dataTypeID })),
        rows: (last.rows ?? []) as (string | null)[][],
        command: last.command ?? '',
      };
    } catch (e) {
      const err = e as { code?: unknown; message?: string };
      const code = typeof err.code === 'string' && /^[0-9A-Z]{5}$/.test(err.code) ? err.code : '';
      if (code === '') this.drop(client); // connection-level failure: reconnect next time
      throw e instanceof StatementError ? e : new StatementError(code, err.message ?? String(e));
    } finally {
      clearTimeout(timer);
    }
  }

  private drop(client: pg.Client): void {
    if (this.client === client) this.client = undefined;
    client.end().catch(() => undefined);
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }
}

/** The gateway or PostgreSQL endpoint from the environment the test scripts export. */
export function endpointFromEnv(target: 'gateway' | 'postgres', database?: string): Endpoint {
  const env = process.env;
  if (target === 'postgres') {
    return {
      host: env.ORACLE_HOST ?? '127.0.0.1',
      port: Number(env.ORACLE_PORT ?? env.PG_TEST_PORT ?? 54329),
      user: env.ORACLE_USER ?? 'postgres',
      database: database ?? env.ORACLE_DB ?? 'lakegate_oracle',
    };
  }
  return {
    host: env.LAKEGATE_HOST ?? '127.0.0.1',
    port: Number(env.LAKEGATE_PORT ?? 7432),
    user: env.LAKEGATE_USER ?? 'lakegate',
    database: database ?? env.LAKEGATE_DB ?? 'lakegate',
  };
}
