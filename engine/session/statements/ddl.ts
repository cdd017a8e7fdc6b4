/** CREATE SCHEMA / TABLE, CREATE TABLE AS, INSERT, DROP — for catalogs that accept writes. */
import { isViewConnector, isWritable, supportsRenames, type Connector, type ConnectorSession, type TableProperties, type WritableConnector } from '../../../connectors/spi/index.js';
import { bindQuery } from '../../analyzer/bind-select.js';
import { coerceTo } from '../../analyzer/coerce.js';
import { resolveTypeName } from '../../analyzer/type-names.js';
import type { NameDefaults } from '../../catalog/catalog-manager.js';
import { SqlError, SqlState, featureNotSupported } from '../../errors/index.js';
import { type AstNode, stringValue } from '../../parser/ast.js';
import type { Expr } from '../../plan/expr.js';
import type { Batch } from '../../execution/batch/batch.js';
import { T } from '../../types/pg-type.js';
import { singleStep } from '../execution.js';
import type { PlannedStatement } from './planned-statement.js';
import { optimizePlan, runPlan, type QueryContext } from './query.js';

interface QualifiedName {
  readonly catalog: string;
  readonly schema: string;
  readonly name: string;
}

function writable(ctx: QueryContext, catalog: string): Connector & WritableConnector {
  const c = ctx.binder.catalogs.connector(catalog);
  if (!isWritable(c)) throw new SqlError(SqlState.READ_ONLY_SQL_TRANSACTION, `catalog "${catalog}" is read-only`, { hint: 'Write to the "memory" catalog.' });
  return c;
}

/**
 * [catalog.][schema.]name; an unqualified name goes to the first existing search_path schema, a
 * temporary one to the session's temporary schema.
 */
async function qualify(ctx: QueryContext, rv: AstNode): Promise<QualifiedName> {
  if (rv.relpersistence === 't') {
    if (rv.schemaname !== undefined) throw new SqlError(SqlState.INVALID_TABLE_DEFINITION, 'cannot create temporary relation in non-temporary schema');
    if (!ctx.temporarySchema) throw featureNotSupported('temporary tables');
    return { ...(await ctx.temporarySchema()), name: rv.relname as string };
  }
  const defaults: NameDefaults = ctx.binder.defaults;
  const written = ctx.binder.catalogs.qualify({ catalog: rv.catalogname as string | undefined, schema: rv.schemaname as string | undefined }, defaults);
  const catalog = written.catalog ?? defaults.catalog;
  let schema = written.schema;
  if (schema === undefined) {
    const existing = new Set(await ctx.binder.catalogs.connector(catalog).listSchemas(session(ctx)));
    schema = defaults.searchPath.find((s) => existing.has(s));
    if (schema === undefined) throw new SqlError(SqlState.INVALID_SCHEMA_NAME, 'no schema has been selected to create in');
  }
  return { catalog, schema, name: rv.relname as string };
}

const session = (ctx: QueryContext): ConnectorSession => ctx.binder.connectorSession;

function noRows(tag: string, run: () => Promise<unknown>): PlannedStatement {
  return {
    columns: null,
    paramTypes: [],
    start: (_p, controller) =>
      singleStep(null, tag, async () => {
        await run();
        return null;
      }, controller),
  };
}

/** A schema named in CREATE/DROP SCHEMA: [catalog.]schema, or "catalog.schema" as pg_namespace shows it. */
function schemaTarget(ctx: QueryContext, parts: readonly string[]): { catalog: string; schema: string } {
  const written = ctx.binder.catalogs.qualify({ catalog: parts.length > 1 ? parts[0] : undefined, schema: parts.at(-1)! }, ctx.binder.defaults);
  return { catalog: written.catalog ?? ctx.binder.defaults.catalog, schema: written.schema };
}

export function planCreateSchema(ctx: QueryContext, stmt: AstNode): PlannedStatement {
  const target = schemaTarget(ctx, [stmt.schemaname as string]);
  ctx.binder.access.checkSchemaOwner(target.catalog, target.schema);
  const connector = writable(ctx, target.catalog);
  return noRows('CREATE SCHEMA', () => connector.createSchema(session(ctx), target.schema, stmt.if_not_exists === true));
}

export async function planCreateTable(ctx: QueryContext, stmt: AstNode): Promise<PlannedStatement> {
  if (stmt.inhRelations || stmt.partspec || stmt.ofTypename) throw featureNotSupported('this form of CREATE TABLE');
  const target = await qualify(ctx, stmt.relation as AstNode);
  ctx.binder.access.check({ catalog: target.catalog, schema: target.schema, table: target.name }, 'OWNERSHIP');
  const connector = writable(ctx, target.catalog);
  const columns = ((stmt.tableElts as AstNode[] | undefined) ?? []).map((e) => {
    const def = e.ColumnDef as AstNode | undefined;
    if (!def) return null;
    const constraints = ((def.constraints as AstNode[] | undefined) ?? []).map((c) => (c.Constraint as AstNode).contype);
    return { name: def.colname as string, type: resolveTypeName(def.typeName as AstNode), nullable: !constraints.includes('CONSTR_NOTNULL') && !constraints.includes('CONSTR_PRIMARY') };
  }).filter((c) => c !== null);
  const properties = tableProperties(stmt.options as AstNode[] | undefined);
  return noRows('CREATE TABLE', () => connector.createTable(session(ctx), target.schema, target.name, columns, stmt.if_not_exists === true, properties));
}

export function planDrop(ctx: QueryContext, stmt: AstNode): PlannedStatement {
  const kind = stmt.removeType as string;
  const names = (stmt.objects as AstNode[]).map((o) => ('List' in o ? ((o.List as AstNode).items as AstNode[]).map(stringValue) : [stringValue(o)]));
  const ifExists = stmt.missing_ok === true;
  const defaults = ctx.binder.defaults;
  if (kind === 'OBJECT_TABLE') {
    return noRows('DROP TABLE', async () => {
      for (const parts of names) {
        const name = parts.at(-1)!;
        const resolved = await ctx.binder.catalogs
          .resolveTable(session(ctx), { name, schema: parts.at(-2), catalog: parts.at(-3) }, defaults, undefined, ctx.binder.access.visibleName)
          .catch((e: unknown) => {
            if (ifExists && e instanceof SqlError && e.code === SqlState.UNDEFINED_TABLE) return null;
            if (e instanceof SqlError && e.code === SqlState.INSUFFICIENT_PRIVILEGE) throw e;
            throw new SqlError(SqlState.UNDEFINED_TABLE, `table "${name}" does not exist`);
          });
        if (resolved) ctx.binder.access.check({ catalog: resolved.catalog, schema: resolved.table.schema, table: name }, 'OWNERSHIP');
        if (resolved) await writable(ctx, resolved.catalog).dropTable(session(ctx), resolved.table.schema, name, ifExists);
        else ctx.notice?.({ severity: 'NOTICE', code: '00000', message: `table "${name}" does not exist, skipping` });
      }
    });
  }
  if (kind === 'OBJECT_SCHEMA') {
    return noRows('DROP SCHEMA', async () => {
      for (const parts of names) {
        const target = schemaTarget(ctx, parts);
        ctx.binder.access.checkSchemaOwner(target.catalog, target.schema);
        await writable(ctx, target.catalog).dropSchema(session(ctx), target.schema, { ifExists, cascade: stmt.behavior === 'DROP_CASCADE' });
      }
    });
  }
  if (kind === 'OBJECT_VIEW') {
    return noRows('DROP VIEW', async () => {
      for (const parts of names) {
        const name = parts.at(-1)!;
        const found = await ctx.binder.catalogs.resolveRelation(session(ctx), { name, schema: parts.at(-2), catalog: parts.at(-3) }, defaults, undefined, true, ctx.binder.access.visibleName).catch((e: unknown) => {
          if (ifExists && e instanceof SqlError && e.code === SqlState.UNDEFINED_TABLE) return null;
          if (e instanceof SqlError && e.code === SqlState.INSUFFICIENT_PRIVILEGE) throw e;
          throw new SqlError(SqlState.UNDEFINED_TABLE, `view "${name}" does not exist`);
        });
        if (!found) continue;
        if (!('view' in found)) throw new SqlError(SqlState.WRONG_OBJECT_TYPE, `"${name}" is not a view`, { hint: 'Use DROP TABLE to remove a table.' });
        ctx.binder.access.check({ catalog: found.catalog, schema: found.view.schema, table: name }, 'OWNERSHIP', 'view');
        const connector = ctx.binder.catalogs.connector(found.catalog);
        if (isViewConnector(connector)) await connector.dropView(session(ctx), found.view.schema, name, ifExists);
      }
    });
  }
  throw featureNotSupported(`DROP ${kind.replace('OBJECT_', '')}`);
}

/** WITH (name = value, …) of CREATE TABLE as text values (a bare name is 'true'). */
function tableProperties(options: AstNode[] | undefined): TableProperties | undefined {
  if (!options?.length) return undefined;
  const out: Record<string, string> = {};
  for (const o of options) {
    const def = o.DefElem as AstNode;
    const name = def.defnamespace ? `${def.defnamespace as string}.${def.defname as string}` : (def.defname as string);
    const arg = def.arg as AstNode | undefined;
    const value = arg === undefined ? true
      : 'String' in arg ? stringValue(arg)
      : 'Integer' in arg ? ((arg.Integer as AstNode).ival ?? 0)
      : 'Float' in arg ? (arg.Float as AstNode).fval
      : 'Boolean' in arg ? ((arg.Boolean as AstNode).boolval ?? false)
      : 'TypeName' in arg ? ((arg.TypeName as AstNode).names as AstNode[]).map(stringValue).join('.')
      : undefined;
    if (value === undefined) throw new SqlError(SqlState.SYNTAX_ERROR, `table property "${name}" needs a constant value`);
    out[name] = String(value);
  }
  return out;
}

/** Batches of the plan's rows, counted into `counter`. */
async function* counted(rows: AsyncIterable<Batch>, counter: { rows: number }): AsyncIterable<Batch> {
  for await (const b of rows) {
    counter.rows += b.length;
    yield b;
  }
}

export async function planInsert(ctx: QueryContext, stmt: AstNode): Promise<PlannedStatement> {
  if (stmt.returningList || stmt.onConflictClause || stmt.withClause) throw featureNotSupported('INSERT with RETURNING, ON CONFLICT or WITH');
  const rv = stmt.relation as AstNode;
  const resolved = await ctx.binder.catalogs.resolveTable(ctx.binder.connectorSession, { catalog: rv.catalogname as string | undefined, schema: rv.schemaname as string | undefined, name: rv.relname as string }, ctx.binder.defaults, undefined, ctx.binder.access.visibleName);
  const access = ctx.binder.access.check({ catalog: resolved.catalog, schema: resolved.table.schema, table: resolved.table.name }, 'INSERT');
  // New rows are not checked against a row filter: writing to a filtered table is not allowed.
  if (access.filter) throw new SqlError(SqlState.INSUFFICIENT_PRIVILEGE, `permission denied for table ${resolved.table.name}`, { detail: 'Rows cannot be inserted into a table with a row filter.' });
  const connector = writable(ctx, resolved.catalog);
  // Hidden columns ($path, …) are the connector's to fill: INSERT names and writes the others.
  const table = { ...resolved.table, columns: resolved.table.columns.filter((c) => !c.hidden) };
  const targetNames = ((stmt.cols as AstNode[] | undefined) ?? []).map((c) => (c.ResTarget as AstNode).name as string);
  const targets = targetNames.length ? targetNames.map((n) => {
    const i = table.columns.findIndex((c) => c.name === n);
    if (i < 0) throw new SqlError(SqlState.UNDEFINED_COLUMN, `column "${n}" of relation "${table.name}" does not exist`);
    return i;
  }) : table.columns.map((_, i) => i);
  const source = stmt.selectStmt
    ? await bindQuery(ctx.binder, stmt.selectStmt as AstNode)
    : await bindQuery(ctx.binder, { SelectStmt: { valuesLists: [{ List: { items: [] } }], limitOption: 'LIMIT_OPTION_DEFAULT', op: 'SETOP_NONE' } });
  if (source.columns.length > targets.length) throw new SqlError(SqlState.SYNTAX_ERROR, 'INSERT has more expressions than target columns');
  // One expression per table column: the matching source column cast to the column's type, or NULL.
  const exprs: Expr[] = table.columns.map((col, i) => {
    const k = targets.indexOf(i);
    if (k < 0 || k >= source.columns.length) return { kind: 'literal', text: null, type: col.type };
    const value = coerceTo({ kind: 'column', index: k, type: source.columns[k]!.type }, col.type);
    return value.kind === 'cast' ? { ...value, assignment: true } : value;
  });
  const plan = await optimizePlan(ctx, { plan: { kind: 'project', input: source.plan, exprs, schema: table.columns.map((c) => ({ name: c.name, type: c.type })) }, initPlans: source.initPlans });
  return {
    columns: null,
    paramTypes: ctx.binder.params.resolved(0),
    start: (params, controller) => {
      const counter = { rows: 0 };
      return singleStep(null, () => `INSERT 0 ${counter.rows}`, async () => {
        await connector.insert(ctx.binder.connectorSession, table, counted(runPlan(ctx, plan, params, controller), counter));
        return null;
      }, controller);
    },
  };
}

export async function planCreateTableAs(ctx: QueryContext, stmt: AstNode): Promise<PlannedStatement> {
  const into = stmt.into as AstNode;
  const target = await qualify(ctx, into.rel as AstNode);
  ctx.binder.access.check({ catalog: target.catalog, schema: target.schema, table: target.name }, 'OWNERSHIP');
  const connector = writable(ctx, target.catalog);
  const source = await bindQuery(ctx.binder, stmt.query as AstNode);
  const names = ((into.colNames as AstNode[] | undefined) ?? []).map(stringValue);
  const columns = source.columns.map((c, i) => ({ name: names[i] ?? c.name, type: c.type.oid === T.unknown.oid ? T.text : c.type, nullable: true }));
  const properties = tableProperties(into.options as AstNode[] | undefined);
  const plan = await optimizePlan(ctx, source);
  return {
    columns: null,
    paramTypes: ctx.binder.params.resolved(0),
    start: (params, controller) => {
      const counter = { rows: 0 };
      return singleStep(null, () => `SELECT ${counter.rows}`, async () => {
        const cs = ctx.binder.connectorSession;
        if (stmt.if_not_exists === true && (await connector.getTable(cs, target.schema, target.name))) return null;
        await connector.createTable(cs, target.schema, target.name, columns, false, properties);
        const table = await connector.getTable(cs, target.schema, target.name);
        try {
          await connector.insert(cs, table!, counted(runPlan(ctx, plan, params, controller), counter));
        } catch (e) {
          // CREATE TABLE AS is one statement: a failed fill leaves no table behind.
          await connector.dropTable(cs, target.schema, target.name, true).catch(() => undefined);
          throw e;
        }
        return null;
      }, controller);
    },
  };
}

export async function planCreateView(ctx: QueryContext, stmt: AstNode, sql: string): Promise<PlannedStatement> {
  if (stmt.withCheckOption && stmt.withCheckOption !== 'NO_CHECK_OPTION') throw featureNotSupported('WITH CHECK OPTION');
  const target = await qualify(ctx, stmt.view as AstNode);
  ctx.binder.access.check({ catalog: target.catalog, schema: target.schema, table: target.name }, 'OWNERSHIP', 'view');
  const connector = ctx.binder.catalogs.connector(target.catalog);
  if (!isViewConnector(connector)) throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, `catalog "${target.catalog}" does not store views`, { hint: 'Create views in the "memory" catalog.' });
  const bound = await bindQuery(ctx.binder, stmt.query as AstNode);
  const aliases = ((stmt.aliases as AstNode[] | undefined) ?? []).map(stringValue);
  if (aliases.length > bound.columns.length) throw new SqlError(SqlState.SYNTAX_ERROR, 'CREATE VIEW specifies more column names than columns');
  const columnNames = bound.columns.map((c, i) => aliases[i] ?? c.name);
  const view = { schema: target.schema, name: target.name, sql, columnNames, columnTypes: bound.columns.map((c) => (c.type.oid === T.unknown.oid ? T.text : c.type)) };
  return noRows('CREATE VIEW', () => connector.createView(session(ctx), view, stmt.replace === true));
}

/** ALTER TABLE / ALTER VIEW [IF EXISTS] name RENAME TO new_name (PostgreSQL's ALTER TABLE also renames views). */
export function planRename(ctx: QueryContext, stmt: AstNode): PlannedStatement {
  const kind = stmt.renameType as string;
  if (kind !== 'OBJECT_TABLE' && kind !== 'OBJECT_VIEW') throw featureNotSupported(`ALTER ${kind.replace('OBJECT_', '')} … RENAME`);
  const rv = stmt.relation as AstNode;
  const name = rv.relname as string;
  return noRows(kind === 'OBJECT_VIEW' ? 'ALTER VIEW' : 'ALTER TABLE', async () => {
    const found = await ctx.binder.catalogs
      .resolveRelation(session(ctx), { catalog: rv.catalogname as string | undefined, schema: rv.schemaname as string | undefined, name }, ctx.binder.defaults, undefined, true, ctx.binder.access.visibleName)
      .catch((e: unknown) => {
        if (stmt.missing_ok === true && e instanceof SqlError && e.code === SqlState.UNDEFINED_TABLE) return null;
        throw e;
      });
    if (!found) {
      ctx.notice?.({ severity: 'NOTICE', code: '00000', message: `relation "${name}" does not exist, skipping` });
      return;
    }
    const isView = 'view' in found;
    const schema = isView ? found.view.schema : found.table.schema;
    for (const table of [name, stmt.newname as string]) ctx.binder.access.check({ catalog: found.catalog, schema, table }, 'OWNERSHIP', isView ? 'view' : 'table');
    if (kind === 'OBJECT_VIEW' && !isView) throw new SqlError(SqlState.WRONG_OBJECT_TYPE, `"${name}" is not a view`, { hint: 'Use ALTER TABLE instead.' });
    const connector = ctx.binder.catalogs.connector(found.catalog);
    if (!supportsRenames(connector)) throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, `catalog "${found.catalog}" does not rename tables or views`);
    await connector.renameRelation(session(ctx), isView ? found.view.schema : found.table.schema, name, stmt.newname as string);
  });
}
