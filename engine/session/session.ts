/**
 * One client session: turns statements into plans and executions, and keeps settings and
 * transaction status. The wire server drives it through the EngineSession contract (api.ts).
 */
import { randomUUID } from 'node:crypto';
import { isWritable, type ConnectorSession } from '../../connectors/spi/index.js';
import type {
  EngineSession, Execution, ExecuteOptions, FormatSettings, ParsedStatement, PreparedStatement, SessionOptions, TransactionStatus,
} from '../api.js';
import { type AccessControl, type Identity, StatementAccess, allowAll } from '../access/access-control.js';
import { ParamTypes } from '../analyzer/coerce.js';
import type { CatalogManager, NameDefaults } from '../catalog/catalog-manager.js';
import { SqlError, SqlState, featureNotSupported, queryCanceled } from '../errors/index.js';
import type { EvalContext, SessionFunctions } from '../functions/registry.js';
import { type AstNode, unwrap } from '../parser/ast.js';
import { parseStatements } from '../parser/parse.js';
import { T, typeByOid, type PgType } from '../types/pg-type.js';
import { queryResources } from '../scheduler/query-resources.js';
import type { MemoryListener } from '../execution/memory/memory-pool.js';
import { SessionState } from './session-state.js';
import { allSettings, parseMs } from './settings.js';
import { withSystemInfo, type ActivityRow } from '../catalog/system/session-info.js';
import type { ActivitySource, SessionActivity } from './activity.js';
import { planCopy, planQuery, type QueryContext } from './statements/query.js';
import { planAnalyze, planShowStats, showStatsQuery } from './statements/analyze.js';
import { planExplain } from './statements/explain.js';
import { planDelete, planTruncate } from './statements/delete.js';
import { planCreateSchema, planCreateTable, planCreateTableAs, planCreateView, planDrop, planInsert, planRename } from './statements/ddl.js';
import type { PlannedStatement } from './statements/planned-statement.js';
import { deallocateTarget, planDiscard, planSet, planShow, planTransaction, type UtilityContext } from './statements/utility.js';
import { singleStep } from './execution.js';
import { Cursors } from './statements/cursor.js';
import { explainOptions } from './statements/explain.js';
import type { AdmissionControl, QueryType } from '../resource-groups/admission-control.js';
import type { GroupProvider } from '../access/file-group-provider.js';
import { AdmittedExecution } from './admitted-execution.js';

interface Statement extends ParsedStatement {
  readonly ast: AstNode | null;
}

interface Prepared extends PreparedStatement {
  readonly planned: PlannedStatement;
  /** The identity and rules version it was planned under (see accessKey). */
  readonly accessKey: string;
  /** A query or DML statement (of this kind) waits for a resource group slot before it runs; null: it does not. */
  readonly queryType: QueryType | null;
}

/** How many splits of one scan are read at the same time. */
const SCAN_CONCURRENCY = 4;

/** Temporary tables live in the writable in-memory catalog, one schema pg_temp_N per session. */
const TEMP_CATALOG = 'memory';
let nextTempSchema = 1;

export class Session implements EngineSession, ActivitySource {
  private readonly state: SessionState;
  private readonly running = new Set<AbortController>();
  /** This session's schema for temporary tables, made by its first CREATE TEMPORARY and dropped at close. */
  private tempSchema: string | null = null;
  /** Where admitted statements report what they hold in memory (their resource group's memory share), by the statement's signal. */
  private readonly groupMemory = new WeakMap<AbortSignal, MemoryListener>();
  /** pg_backend_pid() and pg_stat_activity. */
  readonly backendPid: number;
  private readonly backendStart = nowMicros();
  private readonly leaveActivity: () => void;
  /** Statements started and not yet finished (a client may interleave portals). */
  private activeStatements = 0;
  private lastQuery = '';
  private queryStart: bigint | null = null;
  private stateChange: bigint | null = null;
  /** DECLARE … CURSOR / FETCH / CLOSE. */
  private readonly cursors = new Cursors();

  constructor(
    private readonly catalogs: CatalogManager,
    private readonly options: SessionOptions,
    private readonly accessControl: AccessControl,
    /** Resource groups; null: no limits. */
    private readonly admission: AdmissionControl | null,
    private readonly sessions: SessionActivity,
    /** Groups of users from outside the sign-in (a group file); null: only the sign-in's. */
    private readonly groupProvider: GroupProvider | null = null,
  ) {
    this.backendPid = options.backendPid ?? sessions.allocatePid();
    this.leaveActivity = sessions.add(this);
    this.state = new SessionState(options.user, options.database, options.onParameterStatus);
    this.state.onTransactionEnd = (commit) => this.cursors.transactionEnded(commit);
    this.state.checkValue = (name, value) => {
      if (name === 'role') this.checkRole(value);
    };
    for (const [name, value] of Object.entries(options.startupParameters)) this.applyStartupParameter(name, value);
  }

  get transactionStatus(): TransactionStatus {
    return this.state.status;
  }

  parse(sql: string): ParsedStatement[] {
    // SHOW STATS FOR … is Trino's syntax, outside PostgreSQL's grammar.
    const statsQuery = showStatsQuery(sql);
    if (statsQuery !== undefined) return [{ sql, empty: false, ast: { ShowStatsStmt: { query: parseStatements(statsQuery)[0]?.ast ?? null } } } as Statement];
    const raw = parseStatements(sql);
    const statements: Statement[] = raw.length === 0 ? [{ sql, empty: true, ast: null }] : raw.map((r) => ({ sql: r.sql, empty: false, ast: r.ast }));
    return statements;
  }

  async prepare(statement: ParsedStatement, paramTypeOids: readonly number[]): Promise<PreparedStatement> {
    const ast = (statement as Statement).ast;
    if (ast === null) return prepared(statement, emptyStatement, this.accessKey(), null);
    const given = paramTypeOids.map((oid) => (oid === 0 ? T.unknown : (typeByOid(oid) ?? unknownParamType(oid))));
    const accessKey = this.accessKey();
    const planned = await this.plan(ast, new ParamTypes(given), statement.sql);
    this.checkTransactionState(planned);
    return prepared(statement, planned, accessKey, admittedQueryType(ast));
  }

  execute(prepared: PreparedStatement, params: readonly unknown[], options: ExecuteOptions): Execution {
    const p = prepared as Prepared;
    // Planned for another identity (SET ROLE since) or under other rules (reloaded): plan it again,
    // so the rules, row filters and masks in force now are the ones applied.
    const planned = p.accessKey === this.accessKey() ? p.planned : this.replanned(p);
    this.checkTransactionState(planned);
    const controller = new AbortController();
    const onClientAbort = () => controller.abort(queryCanceled('user'));
    if (options.signal.aborted) onClientAbort();
    options.signal.addEventListener('abort', onClientAbort, { once: true });
    const timeoutMs = parseMs(this.state.get('statement_timeout') ?? '0');
    const timer = timeoutMs > 0 ? setTimeout(() => controller.abort(queryCanceled('timeout')), timeoutMs) : null;
    this.running.add(controller);
    this.noteStatement(prepared.statement.sql, true);
    const started = planned.start(params, controller);
    const execution = p.queryType && this.admission ? this.withAdmission(started, controller, p.queryType) : started;
    const cleanup = () => {
      if (timer) clearTimeout(timer);
      options.signal.removeEventListener('abort', onClientAbort);
      this.running.delete(controller);
      this.noteStatement(prepared.statement.sql, false);
      if (execution instanceof AdmittedExecution) execution.end();
    };
    return withCleanup(execution, cleanup);
  }

  /** Waits for the statement's resource group before its first batch; what its plans hold in memory counts toward the group's memory share. */
  private withAdmission(execution: Execution, controller: AbortController, queryType: QueryType): AdmittedExecution {
    const identity = this.identity();
    return new AdmittedExecution(execution, {
      control: this.admission!,
      request: { queryId: randomUUID(), user: identity.user, groups: identity.groups, source: this.state.get('application_name') ?? '', queryType },
      signal: controller.signal,
      onGrant: (grant) => {
        let held = 0;
        this.groupMemory.set(controller.signal, (bytes) => this.admission!.memoryReserved(grant.queryId, (held += bytes)));
      },
    });
  }

  /** A statement starts or ends (pg_stat_activity.state, query, query_start, state_change). */
  private noteStatement(sql: string, starts: boolean): void {
    const now = nowMicros();
    this.activeStatements += starts ? 1 : -1;
    this.stateChange = now;
    if (starts) {
      this.lastQuery = sql;
      this.queryStart = now;
    }
  }

  signal(kind: 'cancel' | 'terminate'): boolean {
    if (kind === 'terminate') {
      this.options.onTerminate?.();
      return this.options.onTerminate !== undefined;
    }
    if (this.options.onCancelRequest) this.options.onCancelRequest();
    else for (const c of this.running) c.abort(queryCanceled('user'));
    return true;
  }

  /**
   * pg_cancel_backend / pg_terminate_backend from this session. As in PostgreSQL, a user may
   * signal only sessions of the same user, unless no access rules are configured (then every
   * user is trusted as PostgreSQL trusts a superuser).
   */
  private signalBackend(pid: number, kind: 'cancel' | 'terminate'): boolean {
    const target = this.sessions.find(pid);
    if (!target) {
      this.options.onNotice({ severity: 'WARNING', code: SqlState.WARNING, message: `PID ${pid} is not a PostgreSQL server process` });
      return false;
    }
    if (this.accessControl !== allowAll && target.activity().user !== this.identity().user) {
      const what = kind === 'cancel' ? 'cancel query' : 'terminate process';
      throw new SqlError(SqlState.INSUFFICIENT_PRIVILEGE, `permission denied to ${what}`, {
        detail: `Only roles with the same user as the ${kind === 'cancel' ? 'session whose query is being canceled' : 'process being terminated'} may ${kind === 'cancel' ? 'cancel it' : 'terminate it'}.`,
      });
    }
    return target.signal(kind);
  }

  activity(): ActivityRow {
    const status = this.state.status;
    const state = this.activeStatements > 0 ? 'active' : status === 'T' ? 'idle in transaction' : status === 'E' ? 'idle in transaction (aborted)' : 'idle';
    return {
      pid: this.backendPid,
      user: this.options.user,
      database: this.options.database,
      applicationName: this.state.get('application_name') ?? '',
      clientAddr: this.options.client?.address ?? null,
      clientPort: this.options.client?.port ?? null,
      backendStart: this.backendStart,
      xactStart: this.state.transactionStart ?? (this.activeStatements > 0 ? this.queryStart : null),
      queryStart: this.queryStart,
      stateChange: this.stateChange,
      state,
      query: this.lastQuery,
    };
  }

  noteError(): void {
    if (this.state.status === 'T') this.state.status = 'E';
  }

  reportedParameters(): ReadonlyArray<readonly [string, string]> {
    const names = ['application_name', 'client_encoding', 'DateStyle', 'default_transaction_read_only', 'in_hot_standby', 'integer_datetimes', 'IntervalStyle', 'is_superuser', 'server_encoding', 'server_version', 'session_authorization', 'standard_conforming_strings', 'TimeZone'];
    return names.map((n) => [n, this.state.get(n) ?? ''] as const);
  }

  formatSettings(): FormatSettings {
    return {
      dateStyle: this.state.get('DateStyle')!,
      timeZone: this.state.get('TimeZone')!,
      intervalStyle: this.state.get('IntervalStyle')!,
      extraFloatDigits: Number(this.state.get('extra_float_digits')),
      byteaOutput: this.state.get('bytea_output')!,
    };
  }

  setting(name: string): string | undefined {
    return this.state.get(name);
  }

  close(): void {
    this.leaveActivity();
    this.cursors.closeAll();
    for (const c of this.running) c.abort(queryCanceled('user'));
    this.running.clear();
    const temp = this.catalogs.has(TEMP_CATALOG) ? this.catalogs.connector(TEMP_CATALOG) : null;
    if (this.tempSchema !== null && temp && isWritable(temp)) {
      temp.dropSchema({ user: this.options.user, queryId: randomUUID() }, this.tempSchema, { ifExists: true, cascade: true }).catch(() => undefined);
    }
  }

  /** The catalog and schema of this session's temporary tables, made on first use. */
  private async temporarySchema(session: ConnectorSession): Promise<{ catalog: string; schema: string }> {
    const connector = this.catalogs.has(TEMP_CATALOG) ? this.catalogs.connector(TEMP_CATALOG) : null;
    if (!connector || !isWritable(connector)) throw featureNotSupported('temporary tables without a writable "memory" catalog');
    if (this.tempSchema === null) {
      const schema = `pg_temp_${nextTempSchema++}`;
      await connector.createSchema(session, schema, true);
      this.tempSchema = schema;
    }
    return { catalog: TEMP_CATALOG, schema: this.tempSchema };
  }

  private applyStartupParameter(name: string, value: string): void {
    if (name === 'options') {
      // "-c name=value" pairs, as libpq's PGOPTIONS sends them.
      for (const m of value.matchAll(/(?:-c\s*|--)([\w.]+)=((?:\\ |\S)+)/g)) this.state.set(m[1]!, m[2]!.replace(/\\ /g, ' '));
      return;
    }
    if (name === 'replication') throw featureNotSupported('replication connections');
    this.state.set(name, value);
  }

  private checkTransactionState(planned: PlannedStatement): void {
    if (this.state.status === 'E' && !planned.endsTransaction) {
      throw new SqlError(SqlState.IN_FAILED_SQL_TRANSACTION, 'current transaction is aborted, commands ignored until end of transaction block');
    }
  }

  /** SET ROLE r: to one of the principal's groups or its own name, or to a user impersonation rules allow. */
  private checkRole(role: string): void {
    if (role === 'none' || role === this.principal.user || this.principal.groups.includes(role)) return;
    if (!this.accessControl.rules().canImpersonate(this.principal, role)) {
      throw new SqlError(SqlState.INSUFFICIENT_PRIVILEGE, `permission denied to set role "${role}"`);
    }
  }

  /** Who signed in, with the groups of the sign-in and of the group provider; SET ROLE may narrow or change the identity statements run as. */
  private get principal(): Identity {
    const fromSignIn = this.options.groups ?? [];
    const provided = this.groupProvider?.groupsOf(this.options.user) ?? [];
    return { user: this.options.user, groups: provided.length === 0 ? fromSignIn : [...new Set([...fromSignIn, ...provided])] };
  }

  /**
   * The identity statements run as: the principal, or after SET ROLE r the role r — with r as its
   * only group when the principal is in r, else as the user r with the group provider's groups.
   */
  private identity(): Identity {
    const role = this.state.get('role') ?? 'none';
    if (role === 'none') return this.principal;
    if (this.principal.groups.includes(role)) return { user: role, groups: [role] };
    return { user: role, groups: this.groupProvider?.groupsOf(role) ?? [] };
  }

  private accessKey(): string {
    const id = this.identity();
    return JSON.stringify([this.accessControl.rules().version, id.user, id.groups]);
  }

  /** A prepared statement planned again; it must still produce the columns the client was told about. */
  private replanned(p: Prepared): PlannedStatement {
    const ast = (p.statement as Statement).ast;
    const shape = (columns: PreparedStatement['columns']) => JSON.stringify(columns?.map((c) => [c.name, c.type.oid]) ?? null);
    return {
      columns: p.columns,
      paramTypes: p.paramTypes,
      endsTransaction: p.planned.endsTransaction,
      start: (params, controller) => {
        let execution: Execution | null = null;
        const ready = ast === null ? Promise.resolve(emptyStatement) : this.plan(ast, new ParamTypes(p.paramTypes), p.statement.sql);
        const started = ready.then((planned) => {
          if (shape(planned.columns) !== shape(p.columns)) throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, 'cached plan must not change result type');
          execution = planned.start(params, controller);
          return execution;
        });
        // The failure reaches the client through next(); a statement closed before that drops it.
        started.catch(() => undefined);
        return {
          columns: p.columns,
          next: async () => (await started).next(),
          commandTag: (rows) => execution?.commandTag(rows) ?? '',
          close: () => {
            if (execution) execution.close();
            else controller.abort(queryCanceled('user'));
          },
        };
      },
    };
  }

  private async plan(ast: AstNode, params: ParamTypes, sql: string): Promise<PlannedStatement> {
    const [kind, body] = unwrap(ast);
    const utility: UtilityContext = { state: this.state, notice: this.options.onNotice, deallocateAll: () => this.options.onDeallocate?.(null) };
    switch (kind) {
      case 'SelectStmt':
        return planQuery(this.queryContext(params), ast);
      case 'CopyStmt':
        return planCopy(this.queryContext(params), body);
      case 'InsertStmt':
        return planInsert(this.queryContext(params), body);
      case 'DeleteStmt':
        return planDelete(this.queryContext(params), body);
      case 'TruncateStmt':
        return planTruncate(this.queryContext(params), body);
      case 'RenameStmt':
        return planRename(this.queryContext(params), body);
      case 'CreateTableAsStmt':
        if (body.objtype !== 'OBJECT_TABLE') throw featureNotSupported('CREATE MATERIALIZED VIEW');
        return planCreateTableAs(this.queryContext(params), body);
      case 'CreateStmt':
        return planCreateTable(this.queryContext(params), body);
      case 'ViewStmt':
        return planCreateView(this.queryContext(params), body, sql);
      case 'CreateSchemaStmt':
        return planCreateSchema(this.queryContext(params), body);
      case 'DropStmt':
        return planDrop(this.queryContext(params), body);
      case 'ExplainStmt':
        return planExplain(this.queryContext(params), body);
      case 'VacuumStmt':
        return planAnalyze(this.queryContext(params), body, () => this.formatSettings());
      case 'ShowStatsStmt':
        return planShowStats(this.queryContext(params), body.query as AstNode);
      case 'DeclareCursorStmt':
        return this.cursors.declare(body, this.state.status !== 'I', (query) => planQuery(this.queryContext(params), query));
      case 'FetchStmt':
        return this.cursors.fetch(body);
      case 'ClosePortalStmt':
        return this.cursors.close(body);
      case 'VariableSetStmt':
        return planSet(utility, body);
      case 'VariableShowStmt':
        return planShow(utility, body);
      case 'TransactionStmt':
        return planTransaction(utility, body);
      case 'DiscardStmt':
        return planDiscard(utility, body);
      case 'DeallocateStmt': {
        const name = deallocateTarget(body);
        return {
          columns: null,
          paramTypes: [],
          start: (_p, controller) => singleStep(null, name === null ? 'DEALLOCATE ALL' : 'DEALLOCATE', async () => (this.options.onDeallocate?.(name), null), controller),
        };
      }
      default:
        throw featureNotSupported(statementName(kind));
    }
  }

  private queryContext(params: ParamTypes): QueryContext {
    const access = new StatementAccess(this.identity(), this.accessControl.rules());
    const connectorSession: ConnectorSession = withSystemInfo({ user: this.options.user, queryId: randomUUID() }, {
      database: this.options.database,
      searchPath: this.nameDefaults().searchPath,
      settings: () => allSettings().map((d) => ({ name: d.name, setting: this.state.get(d.name) ?? '', readOnly: d.readOnly === true, bootVal: d.defaultValue })),
      visibility: access.catalogVisibility(),
      activity: () => this.sessions.rows(),
    });
    return {
      binder: { catalogs: this.catalogs, connectorSession, defaults: this.nameDefaults(), params, access },
      evalContext: (values) => this.evalContext(values),
      task: (evalContext, signal) => ({
        eval: evalContext, signal, catalogs: this.catalogs, connectorSession, scanConcurrency: SCAN_CONCURRENCY,
        ...queryResources((name) => this.state.get(name), connectorSession.queryId, this.groupMemory.get(signal)),
      }),
      notice: this.options.onNotice,
      temporarySchema: () => this.temporarySchema(connectorSession),
      disabledRules: () => new Set((this.state.get('lakegate.disabled_rules') ?? '').split(',').map((s) => s.trim()).filter(Boolean)),
    };
  }

  private nameDefaults(): NameDefaults {
    const db = this.options.database;
    const catalog = this.catalogs.has(db) ? db : 'memory';
    const searchPath = (this.state.get('search_path') ?? '')
      .split(',')
      .map((s) => s.trim().replace(/^"(.*)"$/, '$1'))
      .map((s) => (s === '$user' ? this.options.user : s))
      .filter(Boolean);
    // PostgreSQL searches the session's temporary schema first when the path does not name it.
    const temp = this.tempSchema === null ? [] : [`${TEMP_CATALOG}.${this.tempSchema}`];
    return { catalog, searchPath: [...temp, ...searchPath], database: db };
  }

  private evalContext(params: readonly unknown[]): EvalContext {
    const state = this.state;
    const defaults = this.nameDefaults();
    const session: SessionFunctions = {
      user: this.identity().user,
      database: this.options.database,
      backendPid: this.backendPid,
      currentSchema: defaults.searchPath.find((s) => s !== this.options.user && !s.startsWith(`${TEMP_CATALOG}.pg_temp_`)) ?? 'public',
      getSetting: (name, missingOk) => {
        const v = state.get(name);
        if (v === undefined && !missingOk) throw new SqlError(SqlState.UNDEFINED_OBJECT, `unrecognized configuration parameter "${name}"`);
        return v ?? null;
      },
      setSetting: (name, value, isLocal) => state.set(name, value, isLocal),
      signalBackend: (pid, kind) => this.signalBackend(pid, kind),
    };
    const statementStart = BigInt(Date.now()) * 1000n;
    return { params, format: this.formatSettings(), session, statementStart, transactionStart: state.transactionStart ?? statementStart };
  }
}

const nowMicros = (): bigint => BigInt(Date.now()) * 1000n;

function prepared(statement: ParsedStatement, planned: PlannedStatement, accessKey: string, queryType: QueryType | null): Prepared {
  return { statement, paramTypes: planned.paramTypes, columns: planned.columns, planned, accessKey, queryType };
}

/**
 * Statements that read or write table data go through the resource groups: queries, DML, COPY,
 * CREATE TABLE AS, EXPLAIN ANALYZE and ANALYZE. SET, SHOW, transaction control, DDL and plain
 * EXPLAIN do not.
 */
/** The kind of a statement that goes through the resource groups (Trino's queryType); null for the others. */
function admittedQueryType(ast: AstNode): QueryType | null {
  const [kind, body] = unwrap(ast);
  switch (kind) {
    case 'SelectStmt':
    case 'CopyStmt':
      return 'SELECT';
    case 'InsertStmt':
    case 'CreateTableAsStmt':
      return 'INSERT';
    case 'DeleteStmt':
    case 'TruncateStmt':
      return 'DELETE';
    case 'VacuumStmt':
      return 'ANALYZE';
    case 'ExplainStmt':
      return explainOptions((body.options as AstNode[] | undefined) ?? []).analyze ? 'EXPLAIN' : null;
    default:
      return null;
  }
}

const emptyStatement: PlannedStatement = {
  columns: null,
  paramTypes: [],
  start: (_p, controller) => singleStep(null, '', async () => null, controller),
};

function unknownParamType(oid: number): PgType {
  throw new SqlError(SqlState.UNDEFINED_OBJECT, `type with OID ${oid} does not exist`);
}

/** "CreateFunctionStmt" → "CREATE FUNCTION" for messages. */
function statementName(kind: string): string {
  return kind.replace(/Stmt$/, '').replace(/([a-z])([A-Z])/g, '$1 $2').toUpperCase();
}

function withCleanup(execution: Execution, cleanup: () => void): Execution {
  let done = false;
  const finish = () => {
    if (!done) {
      done = true;
      cleanup();
    }
  };
  return {
    columns: execution.columns,
    copyOut: execution.copyOut,
    async next() {
      try {
        const b = await execution.next();
        if (b === null) finish();
        return b;
      } catch (e) {
        finish();
        throw e;
      }
    },
    commandTag: (rows) => execution.commandTag(rows),
    close() {
      execution.close();
      finish();
    },
  };
}
