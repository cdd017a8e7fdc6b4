import type { EngineSession, ParsedStatement, PreparedStatement } from '../../engine/api.js';
import { SqlError, SqlState } from '../../engine/errors/index.js';
import { parseMs } from '../../engine/session/settings.js';
import type { FrontendMessage } from '../protocol/frontend.js';
import { fieldDescriptions } from '../results/row-encoder.js';
import { decodeParameters, resultFormats } from './formats.js';
import type { Output } from './output.js';
import { Portal, type CancelReason } from './portal.js';

type Message<T extends FrontendMessage['type']> = Extract<FrontendMessage, { type: T }>;

const statementName = (name: string) => (name === '' ? 'unnamed prepared statement' : `prepared statement "${name}"`);

/** A Parse of an empty query string: kept without asking the engine; executes as EmptyQueryResponse. */
const emptyStatement = (sql: string): PreparedStatement => ({ statement: { sql, empty: true }, paramTypes: [], columns: null });

/**
 * What a session does with each message after startup: the simple query protocol and the
 * extended protocol (prepared statements and portals). Errors propagate to the caller, which
 * reports them; this class keeps the per-session state PostgreSQL keeps.
 */
export class CommandProcessor {
  private readonly statements = new Map<string, PreparedStatement>();
  private readonly portals = new Map<string, Portal>();
  /** The portal whose rows are being produced right now; CancelRequest interrupts it. */
  private running: Portal | null = null;

  constructor(
    private readonly session: EngineSession,
    private readonly out: Output,
  ) {}

  /** CancelRequest ('user') or statement_timeout: interrupts the running statement, if any. */
  cancel(reason: CancelReason = 'user'): void {
    this.running?.cancel(reason);
  }

  /** Disconnect or shutdown: stops every portal. */
  closeAll(): void {
    for (const portal of this.portals.values()) {
      portal.cancel();
      portal.close();
    }
    this.portals.clear();
    this.running?.cancel();
  }

  /** SQL-level DEALLOCATE name (null: DEALLOCATE ALL / DISCARD ALL) drops protocol-level statements too. */
  deallocate(name: string | null): void {
    if (name === null) this.statements.clear();
    else this.statements.delete(name);
  }

  /** ReadyForQuery with the transaction status; outside a transaction block no portal survives (as in PostgreSQL). */
  readyForQuery(): void {
    const status = this.session.transactionStatus;
    if (status === 'I') this.closeAll();
    this.out.writer.readyForQuery(status);
    this.out.flush();
  }

  /** Simple query: every statement in turn; an error ends the message. ReadyForQuery is the caller's. */
  async query(sql: string): Promise<void> {
    this.statements.delete('');
    this.dropPortal('');
    const statements = this.session.parse(sql).filter((s) => !s.empty);
    if (statements.length === 0) this.out.writer.emptyQueryResponse();
    for (const statement of statements) {
      const prepared = await this.session.prepare(statement, []);
      const portal = this.start(prepared, [], []);
      // The engine times each statement as well; this timer also ends a wait for a client that does not read.
      const timeoutMs = parseMs(this.session.setting('statement_timeout') ?? '0');
      const timer = timeoutMs > 0 ? setTimeout(() => portal.cancel('timeout'), timeoutMs) : null;
      const columns = portal.columns;
      if (columns) this.out.writer.rowDescription(fieldDescriptions(columns, portal.formats));
      try {
        await this.run(portal, 0);
      } finally {
        if (timer) clearTimeout(timer);
        portal.close();
      }
    }
  }

  async parse(msg: Message<'Parse'>): Promise<void> {
    if (msg.name === '') this.statements.delete('');
    else if (this.statements.has(msg.name)) {
      throw new SqlError(SqlState.DUPLICATE_PSTATEMENT, `prepared statement "${msg.name}" already exists`);
    }
    const parsed = this.session.parse(msg.sql);
    const statements = parsed.filter((s) => !s.empty);
    if (statements.length > 1) {
      throw new SqlError(SqlState.SYNTAX_ERROR, 'cannot insert multiple commands into a prepared statement');
    }
    const statement: ParsedStatement | undefined = statements[0];
    this.statements.set(msg.name, statement ? await this.session.prepare(statement, msg.paramTypeOids) : emptyStatement(msg.sql));
    this.out.writer.parseComplete();
  }

  bind(msg: Message<'Bind'>): void {
    const prepared = this.statement(msg.statement);
    if (msg.paramFormats.length > 1 && msg.paramFormats.length !== msg.params.length) {
      throw new SqlError(
        SqlState.PROTOCOL_VIOLATION,
        `bind message has ${msg.paramFormats.length} parameter formats but ${msg.params.length} parameters`,
      );
    }
    if (msg.params.length !== prepared.paramTypes.length) {
      throw new SqlError(
        SqlState.PROTOCOL_VIOLATION,
        `bind message supplies ${msg.params.length} parameters, but prepared statement "${msg.statement}" requires ${prepared.paramTypes.length}`,
      );
    }
    if (msg.portal !== '' && this.portals.has(msg.portal)) {
      throw new SqlError(SqlState.DUPLICATE_CURSOR, `cursor "${msg.portal}" already exists`);
    }
    this.dropPortal(msg.portal);
    const params = decodeParameters(prepared.paramTypes, msg.paramFormats, msg.params, this.session.formatSettings());
    const formats = resultFormats(msg.resultFormats, prepared.columns?.length ?? 0);
    this.portals.set(msg.portal, this.start(prepared, params, formats));
    this.out.writer.bindComplete();
  }

  describe(msg: Message<'Describe'>): void {
    if (msg.target === 'S') {
      const prepared = this.statement(msg.name);
      this.out.writer.parameterDescription(prepared.paramTypes.map((t) => t.oid));
      if (prepared.columns) this.out.writer.rowDescription(fieldDescriptions(prepared.columns, []));
      else this.out.writer.noData();
      return;
    }
    const portal = this.portal(msg.name);
    const columns = portal.columns;
    if (columns) this.out.writer.rowDescription(fieldDescriptions(columns, portal.formats));
    else this.out.writer.noData();
  }

  async execute(msg: Message<'Execute'>): Promise<void> {
    const portal = this.portal(msg.portal);
    try {
      await this.run(portal, msg.maxRows);
    } catch (err) {
      this.dropPortal(msg.portal);
      throw err;
    }
  }

  close(msg: Message<'Close'>): void {
    if (msg.target === 'S') this.statements.delete(msg.name);
    else this.dropPortal(msg.name);
    this.out.writer.closeComplete();
  }

  private async run(portal: Portal, maxRows: number): Promise<void> {
    this.running = portal;
    try {
      await portal.run(maxRows, this.out, this.session.formatSettings());
    } finally {
      this.running = null;
    }
  }

  /** Starts executing a prepared statement; the engine's execution is pulled later, per Execute. */
  private start(prepared: PreparedStatement, params: readonly unknown[], formats: readonly number[]): Portal {
    const abort = new AbortController();
    const execution = prepared.statement.empty ? null : this.session.execute(prepared, params, { signal: abort.signal });
    return new Portal(execution, formats, abort);
  }

  private statement(name: string): PreparedStatement {
    const prepared = this.statements.get(name);
    if (!prepared) throw new SqlError(SqlState.INVALID_SQL_STATEMENT_NAME, `${statementName(name)} does not exist`);
    return prepared;
  }

  private portal(name: string): Portal {
    const portal = this.portals.get(name);
    if (!portal) throw new SqlError(SqlState.INVALID_CURSOR_NAME, `portal "${name}" does not exist`);
    return portal;
  }

  private dropPortal(name: string): void {
    this.portals.get(name)?.close();
    this.portals.delete(name);
  }
}
