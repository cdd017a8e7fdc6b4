/** SET, RESET, SHOW, BEGIN/COMMIT/ROLLBACK, SAVEPOINT, DISCARD, DEALLOCATE. */
import type { ColumnDescription, Notice } from '../../api.js';
import { SqlError, SqlState, featureNotSupported } from '../../errors/index.js';
import { vectorFromDatums } from '../../execution/batch/vector.js';
import { type AstNode, unwrap } from '../../parser/ast.js';
import { T } from '../../types/pg-type.js';
import { singleStep } from '../execution.js';
import type { SessionState } from '../session-state.js';
import { allSettings } from '../settings.js';
import type { PlannedStatement } from './planned-statement.js';

export interface UtilityContext {
  readonly state: SessionState;
  readonly notice: (n: Notice) => void;
  readonly deallocateAll: () => void;
}

const textColumn = (name: string): ColumnDescription => ({ name, type: T.text, tableOid: 0, columnNumber: 0 });

function noRows(tag: string, run: () => void, endsTransaction = false): PlannedStatement {
  return {
    columns: null,
    paramTypes: [],
    endsTransaction,
    start: (_params, controller) =>
      singleStep(null, tag, async () => {
        run();
        return null;
      }, controller),
  };
}

/** The value of SET's arguments as one string, as PostgreSQL flattens them. */
function setArgs(args: AstNode[]): string {
  return args
    .map((a) => {
      const [kind, body] = unwrap(a);
      if (kind === 'A_Const') {
        if ('sval' in body) return ((body.sval as AstNode).sval as string | undefined) ?? '';
        if ('ival' in body) return String((body.ival as AstNode).ival ?? 0);
        if ('fval' in body) return (body.fval as AstNode).fval as string;
        if ('boolval' in body) return (body.boolval as AstNode).boolval ? 'on' : 'off';
      }
      if (kind === 'TypeCast') return setArgs([body.arg as AstNode]);
      throw new SqlError(SqlState.SYNTAX_ERROR, 'unsupported SET value');
    })
    .join(', ');
}

export function planSet(ctx: UtilityContext, stmt: AstNode): PlannedStatement {
  const name = (stmt.name as string | undefined) ?? '';
  const isLocal = stmt.is_local === true;
  switch (stmt.kind) {
    case 'VAR_SET_VALUE':
      return noRows('SET', () => {
        if (isLocal && ctx.state.status === 'I') warnOutsideTransaction(ctx, 'SET LOCAL');
        ctx.state.set(name, setArgs(stmt.args as AstNode[]), isLocal);
      });
    case 'VAR_SET_DEFAULT':
    case 'VAR_RESET':
      return noRows(stmt.kind === 'VAR_RESET' ? 'RESET' : 'SET', () => ctx.state.reset(name));
    case 'VAR_RESET_ALL':
      return noRows('RESET', () => ctx.state.resetAll());
    case 'VAR_SET_MULTI':
      return noRows('SET', () => setTransactionCharacteristics(ctx, name, (stmt.args as AstNode[] | undefined) ?? []));
    default:
      throw featureNotSupported(`SET form ${String(stmt.kind)}`);
  }
}

function setTransactionCharacteristics(ctx: UtilityContext, name: string, args: AstNode[]): void {
  const session = name === 'SESSION CHARACTERISTICS';
  for (const a of args) {
    const def = a.DefElem as AstNode;
    const value = setArgs([def.arg as AstNode]);
    if (def.defname === 'transaction_isolation') ctx.state.set(session ? 'default_transaction_isolation' : 'transaction_isolation', value);
    else if (def.defname === 'transaction_read_only') ctx.state.set(session ? 'default_transaction_read_only' : 'transaction_read_only', value);
  }
}

const warnOutsideTransaction = (ctx: UtilityContext, what: string) =>
  ctx.notice({ severity: 'WARNING', code: SqlState.NO_ACTIVE_SQL_TRANSACTION, message: `${what} can only be used in transaction blocks` });

export function planShow(ctx: UtilityContext, stmt: AstNode): PlannedStatement {
  const name = stmt.name as string;
  if (name === 'all') {
    const columns = ['name', 'setting', 'description'].map(textColumn);
    return {
      columns,
      paramTypes: [],
      start: (_p, controller) =>
        singleStep(columns, 'SHOW', async () => {
          const defs = allSettings();
          const rows = defs.map((d) => [d.name, ctx.state.get(d.name) ?? '', '']);
          return { length: rows.length, columns: [0, 1, 2].map((c) => vectorFromDatums(T.text, rows.map((r) => r[c]!))) };
        }, controller),
    };
  }
  const value = () => {
    const v = ctx.state.get(name);
    if (v === undefined) throw new SqlError(SqlState.UNDEFINED_OBJECT, `unrecognized configuration parameter "${name}"`);
    return v;
  };
  value();
  const columns = [textColumn(ctx.state.canonicalName(name))];
  return {
    columns,
    paramTypes: [],
    start: (_p, controller) => singleStep(columns, 'SHOW', async () => ({ length: 1, columns: [vectorFromDatums(T.text, [value()])] }), controller),
  };
}

export function planTransaction(ctx: UtilityContext, stmt: AstNode): PlannedStatement {
  const state = ctx.state;
  switch (stmt.kind) {
    case 'TRANS_STMT_BEGIN':
    case 'TRANS_STMT_START':
      return noRows(stmt.kind === 'TRANS_STMT_BEGIN' ? 'BEGIN' : 'START TRANSACTION', () => {
        if (state.status !== 'I') {
          ctx.notice({ severity: 'WARNING', code: SqlState.ACTIVE_SQL_TRANSACTION, message: 'there is already a transaction in progress' });
          return;
        }
        state.begin();
        for (const o of (stmt.options as AstNode[] | undefined) ?? []) {
          const def = o.DefElem as AstNode;
          state.set(String(def.defname), setArgs([def.arg as AstNode]), true);
        }
      });
    case 'TRANS_STMT_COMMIT':
      return {
        columns: null,
        paramTypes: [],
        endsTransaction: true,
        start: (_p, controller) => {
          const failed = state.status === 'E';
          return singleStep(null, failed ? 'ROLLBACK' : 'COMMIT', async () => {
            if (state.status === 'I') warnNoTransaction(ctx);
            state.end(!failed);
            return null;
          }, controller);
        },
      };
    case 'TRANS_STMT_ROLLBACK':
      return noRows('ROLLBACK', () => {
        if (state.status === 'I') warnNoTransaction(ctx);
        state.end(false);
      }, true);
    case 'TRANS_STMT_SAVEPOINT':
    case 'TRANS_STMT_RELEASE':
      return noRows(stmt.kind === 'TRANS_STMT_SAVEPOINT' ? 'SAVEPOINT' : 'RELEASE', () => {
        if (state.status === 'I') {
          throw new SqlError(SqlState.NO_ACTIVE_SQL_TRANSACTION, `${stmt.kind === 'TRANS_STMT_SAVEPOINT' ? 'SAVEPOINT' : 'RELEASE SAVEPOINT'} can only be used in transaction blocks`);
        }
      });
    case 'TRANS_STMT_ROLLBACK_TO':
      return noRows('ROLLBACK', () => {
        if (state.status === 'I') throw new SqlError(SqlState.NO_ACTIVE_SQL_TRANSACTION, 'ROLLBACK TO SAVEPOINT can only be used in transaction blocks');
        state.status = 'T';
      }, true);
    default:
      throw featureNotSupported(`transaction statement ${String(stmt.kind)}`);
  }
}

const warnNoTransaction = (ctx: UtilityContext) =>
  ctx.notice({ severity: 'WARNING', code: SqlState.NO_ACTIVE_SQL_TRANSACTION, message: 'there is no transaction in progress' });

export function planDiscard(ctx: UtilityContext, stmt: AstNode): PlannedStatement {
  const target = String(stmt.target).replace('DISCARD_', '');
  return noRows(`DISCARD ${target}`, () => {
    if (target === 'ALL') {
      if (ctx.state.status !== 'I') throw new SqlError(SqlState.ACTIVE_SQL_TRANSACTION, 'DISCARD ALL cannot run inside a transaction block');
      ctx.state.resetAll();
      ctx.deallocateAll();
    }
  });
}

/** The name given to DEALLOCATE, or null for DEALLOCATE ALL. */
export const deallocateTarget = (stmt: AstNode): string | null => (stmt.name as string | undefined) ?? null;

