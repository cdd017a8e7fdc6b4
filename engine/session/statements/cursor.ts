/**
 * SQL cursors: DECLARE … CURSOR, FETCH, MOVE, CLOSE (Tableau and psqlODBC's UseDeclareFetch).
 * A cursor keeps its query's execution open and FETCH pulls rows from it, so a cursor over a
 * large table holds one batch at a time. Without HOLD it may only be declared in a transaction
 * block and closes when the block ends; WITH HOLD keeps the stream open across COMMIT.
 * Only forward fetching is supported (NO SCROLL); BINARY cursors are refused.
 */
import type { ColumnDescription, Execution } from '../../api.js';
import { SqlError, SqlState, featureNotSupported } from '../../errors/index.js';
import { sliceBatch, type Batch } from '../../execution/batch/batch.js';
import type { AstNode } from '../../parser/ast.js';
import { StreamExecution, singleStep } from '../execution.js';
import type { PlannedStatement } from './planned-statement.js';

const CURSOR_OPT_BINARY = 0x1;
const CURSOR_OPT_SCROLL = 0x2;
const CURSOR_OPT_HOLD = 0x20;
/** FETCH ALL / FORWARD ALL as the parser gives it (LONG_MAX clipped to int32). */
const FETCH_ALL = 2147483647;

interface Cursor {
  readonly columns: readonly ColumnDescription[];
  readonly hold: boolean;
  /** Declared in the open transaction block: a rollback closes it even WITH HOLD. */
  fresh: boolean;
  readonly execution: Execution;
  /** Rows of the last batch pulled and not fetched yet. */
  pending: Batch | null;
}

/** A session's open cursors. */
export class Cursors {
  private readonly open = new Map<string, Cursor>();

  /** DECLARE name CURSOR FOR query; `plan` binds the query. */
  async declare(body: Record<string, unknown>, inTransaction: boolean, plan: (query: AstNode) => Promise<PlannedStatement>): Promise<PlannedStatement> {
    const name = body.portalname as string;
    const options = (body.options as number | undefined) ?? 0;
    if (options & CURSOR_OPT_BINARY) throw featureNotSupported('BINARY cursors');
    if (options & CURSOR_OPT_SCROLL) throw featureNotSupported('SCROLL cursors', 'Declare the cursor NO SCROLL and fetch forward only.');
    const hold = (options & CURSOR_OPT_HOLD) !== 0;
    if (!hold && !inTransaction) throw new SqlError(SqlState.NO_ACTIVE_SQL_TRANSACTION, 'DECLARE CURSOR can only be used in transaction blocks');
    const query = await plan(body.query as AstNode);
    return {
      columns: null,
      paramTypes: query.paramTypes,
      start: (params, controller) => singleStep(null, 'DECLARE CURSOR', async () => {
        if (this.open.has(name)) throw new SqlError(SqlState.DUPLICATE_CURSOR, `cursor "${name}" already exists`);
        this.open.set(name, { columns: query.columns ?? [], hold, fresh: inTransaction, execution: query.start(params, new AbortController()), pending: null });
        return null;
      }, controller),
    };
  }

  /** FETCH / MOVE [FORWARD] n | ALL [FROM | IN] name: rows with the cursor query's columns, tag FETCH n / MOVE n. */
  fetch(body: Record<string, unknown>): PlannedStatement {
    const name = body.portalname as string;
    const move = body.ismove === true;
    if (body.direction !== undefined && body.direction !== 'FETCH_FORWARD') throw featureNotSupported('FETCH in a direction other than FORWARD', 'Cursors are NO SCROLL.');
    const count = (body.howMany as number | undefined) ?? 1;
    // The columns are those of the cursor open now; a prepared FETCH reads the cursor of that name when it runs.
    const columns = this.cursor(name).columns;
    const verb = move ? 'MOVE' : 'FETCH';
    let moved = 0;
    const lookup = () => this.cursor(name);
    const rows = async function* (): AsyncIterable<Batch> {
      const cursor = lookup();
      let wanted = count === FETCH_ALL ? Infinity : count;
      while (wanted > 0) {
        const batch = cursor.pending ?? (await cursor.execution.next());
        cursor.pending = null;
        if (batch === null) return;
        const take = Math.min(wanted, batch.length);
        if (take < batch.length) cursor.pending = sliceBatch(batch, take, batch.length - take);
        wanted -= take;
        moved += take;
        if (!move && take > 0) yield take === batch.length ? batch : sliceBatch(batch, 0, take);
      }
    };
    return {
      columns: move ? null : columns,
      paramTypes: [],
      start: (_params, controller) => new StreamExecution({
        columns: move ? null : columns, batches: rows(), tag: () => `${verb} ${moved}`, controller,
      }),
    };
  }

  /** CLOSE name | ALL. */
  close(body: Record<string, unknown>): PlannedStatement {
    const name = body.portalname as string | undefined;
    if (name !== undefined) this.cursor(name);
    return {
      columns: null,
      paramTypes: [],
      start: (_params, controller) => singleStep(null, 'CLOSE CURSOR', async () => {
        if (name === undefined) this.closeAll();
        else this.closeWhere((n) => n === name);
        return null;
      }, controller),
    };
  }

  /** At the end of a transaction block: cursors without HOLD close, and on rollback those it declared. */
  transactionEnded(commit: boolean): void {
    this.closeWhere((_n, c) => !c.hold || (!commit && c.fresh));
    for (const c of this.open.values()) c.fresh = false;
  }

  /** Closes every cursor (session end). */
  closeAll(): void {
    this.closeWhere(() => true);
  }

  private cursor(name: string): Cursor {
    const cursor = this.open.get(name);
    if (!cursor) throw new SqlError(SqlState.INVALID_CURSOR_NAME, `cursor "${name}" does not exist`);
    return cursor;
  }

  private closeWhere(test: (name: string, cursor: Cursor) => boolean): void {
    for (const [name, cursor] of this.open) {
      if (!test(name, cursor)) continue;
      cursor.execution.close();
      this.open.delete(name);
    }
  }
}
