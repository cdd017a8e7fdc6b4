/**
 * DELETE FROM t [USING …] [WHERE …] and TRUNCATE: the rows to delete are found by a query over the table
 * that reads the connector's row-id columns (hidden columns such as `$path` and `$pos`); the
 * connector then removes those rows as one change (see RowDeletes in the connector SPI).
 */
import { supportsDeletes } from '../../../connectors/spi/index.js';
import { bindQuery } from '../../analyzer/bind-select.js';
import { SqlError, SqlState, featureNotSupported } from '../../errors/index.js';
import type { AstNode } from '../../parser/ast.js';
import { singleStep } from '../execution.js';
import type { PlannedStatement } from './planned-statement.js';
import { optimizePlan, runPlan, type QueryContext } from './query.js';

export async function planDelete(ctx: QueryContext, stmt: AstNode): Promise<PlannedStatement> {
  if (stmt.returningList || stmt.withClause) throw featureNotSupported('DELETE with RETURNING or WITH');
  const deletion = await planDeletion(ctx, stmt);
  return {
    columns: null,
    paramTypes: ctx.binder.params.resolved(0),
    start: (params, controller) => {
      let deleted = 0;
      return singleStep(null, () => `DELETE ${deleted}`, async () => {
        deleted = await deletion(params, controller);
        return null;
      }, controller);
    },
  };
}

/** TRUNCATE t, …: every row of each table deleted, the tables one after another. */
export async function planTruncate(ctx: QueryContext, stmt: AstNode): Promise<PlannedStatement> {
  const deletions: Deletion[] = [];
  for (const rv of stmt.relations as AstNode[]) deletions.push(await planDeletion(ctx, { relation: rv.RangeVar }));
  return {
    columns: null,
    paramTypes: [],
    start: (params, controller) => singleStep(null, 'TRUNCATE TABLE', async () => {
      for (const deletion of deletions) await deletion(params, controller);
      return null;
    }, controller),
  };
}

/** Runs one planned DELETE: finds the rows, hands them to the connector, returns how many. */
type Deletion = (params: readonly unknown[], controller: AbortController) => Promise<number>;

async function planDeletion(ctx: QueryContext, stmt: AstNode): Promise<Deletion> {
  const rv = stmt.relation as AstNode;
  const resolved = await ctx.binder.catalogs.resolveTable(ctx.binder.connectorSession, { catalog: rv.catalogname as string | undefined, schema: rv.schemaname as string | undefined, name: rv.relname as string }, ctx.binder.defaults, undefined, ctx.binder.access.visibleName);
  // The rows are found by a query over the table: SELECT is needed too, and a row filter limits what can be deleted.
  ctx.binder.access.check({ catalog: resolved.catalog, schema: resolved.table.schema, table: resolved.table.name }, 'DELETE');
  const connector = ctx.binder.catalogs.connector(resolved.catalog);
  if (!supportsDeletes(connector)) {
    throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, `cannot delete from table "${resolved.table.name}": catalog "${resolved.catalog}" does not support DELETE`);
  }
  const table = resolved.table;
  const qualifier = ((rv.alias as AstNode | undefined)?.aliasname as string | undefined) ?? (rv.relname as string);
  const rowIds = connector.rowIdColumns(table);
  const using = (stmt.usingClause as AstNode[] | undefined) ?? [];
  const select: AstNode = {
    SelectStmt: {
      targetList: rowIds.map((name) => ({ ResTarget: { val: { ColumnRef: { fields: [{ String: { sval: qualifier } }, { String: { sval: name } }] } } } })),
      fromClause: [{ RangeVar: rv }, ...using],
      ...(stmt.whereClause ? { whereClause: stmt.whereClause } : {}),
      // a row joined to several USING rows is still deleted once
      ...(using.length > 0 ? { distinctClause: [{}] } : {}),
      limitOption: 'LIMIT_OPTION_DEFAULT',
      op: 'SETOP_NONE',
    },
  };
  const source = await bindQuery(ctx.binder, select);
  const plan = await optimizePlan(ctx, source);
  return (params, controller) => connector.deleteRows(ctx.binder.connectorSession, table, runPlan(ctx, plan, params, controller));
}
