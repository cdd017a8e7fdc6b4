/**
 * A scripted engine for the server's own tests: each SQL text maps to a canned result, so
 * wire behaviour (batches, row limits, errors, cancel, COPY, transaction status) can be
 * driven exactly. The conformance scripts run against the real engine instead.
 */
import type { ColumnDescription, CopyOutFormat, Engine, EngineSession, Execution, ParsedStatement, PreparedStatement, SessionOptions, TransactionStatus } from '../../engine/api.js';
import { queryCanceled, SqlError, SqlState } from '../../engine/errors/index.js';
import type { Batch } from '../../engine/execution/batch/batch.js';
import { vectorFromDatums } from '../../engine/execution/batch/vector.js';
import type { PgType } from '../../engine/types/pg-type.js';

export interface FakeStatement {
  /** Result columns; absent for a statement without rows. */
  readonly columns?: readonly { readonly name: string; readonly type: PgType }[];
  /** Rows, or a function of the bound parameters. */
  readonly rows?: readonly (readonly unknown[])[] | ((params: readonly unknown[]) => unknown[][]);
  readonly paramTypes?: readonly PgType[];
  /** Tag for statements without rows (default "SELECT n"). */
  readonly tag?: string;
  /** Rows per batch (default 2, to exercise batching). */
  readonly batchRows?: number;
  /** Thrown by next() after the first batch. */
  readonly failAfterFirstBatch?: SqlError;
  /** next() never returns until the execution's signal aborts (then it throws 57014). */
  readonly blockUntilAborted?: boolean;
  readonly copyOut?: CopyOutFormat;
}

const control: Readonly<Partial<Record<string, (s: FakeSession) => void>>> = {
  begin: (s) => (s.status = 'T'),
  commit: (s) => (s.status = 'I'),
  rollback: (s) => (s.status = 'I'),
};

interface FakePrepared extends PreparedStatement {
  readonly key: string;
}

class FakeSession implements EngineSession {
  status: TransactionStatus = 'I';
  closed = false;
  readonly executions: string[] = [];
  /** Batches handed out by next(), over all executions. */
  batchesPulled = 0;

  constructor(
    private readonly statements: Readonly<Record<string, FakeStatement>>,
    readonly options: SessionOptions,
  ) {}

  get transactionStatus(): TransactionStatus {
    return this.status;
  }

  parse(sql: string): ParsedStatement[] {
    const parts = sql.split(';').map((s) => s.trim()).filter((s) => s !== '');
    if (parts.some((p) => p.startsWith('syntax error'))) throw new SqlError(SqlState.SYNTAX_ERROR, 'syntax error at or near "syntax"', { position: 1 });
    return parts.length === 0 ? [{ sql, empty: true }] : parts.map((p) => ({ sql: p, empty: false }));
  }

  async prepare(statement: ParsedStatement): Promise<PreparedStatement> {
    const key = statement.sql.toLowerCase();
    const def = control[key] ? {} : this.statements[key];
    if (!def) throw new SqlError(SqlState.SYNTAX_ERROR, `unknown statement in fake engine: ${statement.sql}`);
    const columns: ColumnDescription[] | null = def.columns?.map((c) => ({ ...c, tableOid: 0, columnNumber: 0 })) ?? null;
    const prepared: FakePrepared = { key, statement, paramTypes: def.paramTypes ?? [], columns };
    return prepared;
  }

  execute(prepared: PreparedStatement, params: readonly unknown[], options: { signal: AbortSignal }): Execution {
    const key = (prepared as FakePrepared).key;
    this.executions.push(key);
    if (this.status === 'E' && key !== 'rollback' && key !== 'commit') {
      throw new SqlError(SqlState.IN_FAILED_SQL_TRANSACTION, 'current transaction is aborted, commands ignored until end of transaction block');
    }
    const action = control[key];
    const def = this.statements[key] ?? {};
    const columns = prepared.columns;
    const rows = typeof def.rows === 'function' ? def.rows(params) : (def.rows ?? []);
    const per = def.batchRows ?? 2;
    let next = 0;
    let batches = 0;
    return {
      columns,
      copyOut: def.copyOut,
      next: async (): Promise<Batch | null> => {
        if (def.blockUntilAborted) {
          await new Promise((resolve) => options.signal.addEventListener('abort', resolve, { once: true }));
          throw queryCanceled('user');
        }
        if (batches++ > 0 && def.failAfterFirstBatch) throw def.failAfterFirstBatch;
        if (next >= rows.length) {
          action?.(this);
          return null;
        }
        this.batchesPulled++;
        const slice = rows.slice(next, next + per);
        next += slice.length;
        return { length: slice.length, columns: (columns ?? []).map((c, i) => vectorFromDatums(c.type, slice.map((r) => r[i]))) };
      },
      commandTag: (n) => (def.tag ?? (action ? key.toUpperCase() : `SELECT ${n}`)),
      close: () => {},
    };
  }

  noteError(): void {
    if (this.status === 'T') this.status = 'E';
  }

  reportedParameters(): ReadonlyArray<readonly [string, string]> {
    return [
      ['server_version', '15.0 (Lakegate fake)'],
      ['client_encoding', 'UTF8'],
      ['DateStyle', 'ISO, MDY'],
      ['integer_datetimes', 'on'],
      ['standard_conforming_strings', 'on'],
    ];
  }

  formatSettings() {
    return { dateStyle: 'ISO, MDY', timeZone: 'UTC', intervalStyle: 'postgres', extraFloatDigits: 1, byteaOutput: 'hex' };
  }

  setting(): string | undefined {
    return undefined;
  }

  close(): void {
    this.closed = true;
  }
}

export interface FakeEngine extends Engine {
  readonly sessions: FakeSession[];
}

/** An engine answering exactly the given statements (keys are lower-case SQL), plus BEGIN/COMMIT/ROLLBACK. */
export function createFakeEngine(statements: Readonly<Record<string, FakeStatement>>): FakeEngine {
  const sessions: FakeSession[] = [];
  return {
    sessions,
    openSession(options) {
      if (options.database === 'missing') throw new SqlError(SqlState.INVALID_CATALOG_NAME, `database "missing" does not exist`);
      const s = new FakeSession(statements, options);
      sessions.push(s);
      return s;
    },
    close: async () => undefined,
  };
}
