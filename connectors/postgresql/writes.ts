/**
 * DDL and INSERT on the upstream server. Names are quoted identifiers, types come from
 * types.ts, and every value is a bound parameter in the pinned session's text form.
 */
import type { Batch } from '../../engine/execution/batch/batch.js';
import { isNullAt } from '../../engine/execution/batch/vector.js';
import { SqlError, SqlState } from '../../engine/errors/index.js';
import type { SqlDialect } from '../lib/sql/index.js';
import type { ColumnDefinition, TableMetadata, TableProperties } from '../spi/index.js';
import type { Lease, RemoteDatabase } from './remote.js';
import { castName, typeSql, valueFormatter } from './types.js';

/** The protocol's limit on parameters per statement. */
const MAX_PARAMETERS = 65_535;
/** Rows per INSERT statement at most. */
const MAX_ROWS_PER_STATEMENT = 1_000;

export function createSchemaSql(q: SqlDialect['quoteIdentifier'], schema: string, ifNotExists: boolean): string {
  return `CREATE SCHEMA ${ifNotExists ? 'IF NOT EXISTS ' : ''}${q(schema)}`;
}

export function dropSchemaSql(q: SqlDialect['quoteIdentifier'], schema: string, options: { ifExists: boolean; cascade: boolean }): string {
  return `DROP SCHEMA ${options.ifExists ? 'IF EXISTS ' : ''}${q(schema)} ${options.cascade ? 'CASCADE' : 'RESTRICT'}`;
}

export function createTableSql(
  q: SqlDialect['quoteIdentifier'], schema: string, table: string, columns: readonly ColumnDefinition[], ifNotExists: boolean, properties: TableProperties,
): string {
  const unknown = Object.keys(properties);
  if (unknown.length > 0) throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `table property "${unknown[0]}" is not supported by the postgresql connector`);
  const list = columns.map((c) => `${q(c.name)} ${typeSql(c.type)}${c.nullable ? '' : ' NOT NULL'}`);
  return `CREATE TABLE ${ifNotExists ? 'IF NOT EXISTS ' : ''}${q(schema)}.${q(table)} (${list.join(', ')})`;
}

export function dropTableSql(q: SqlDialect['quoteIdentifier'], schema: string, table: string, ifExists: boolean): string {
  return `DROP TABLE ${ifExists ? 'IF EXISTS ' : ''}${q(schema)}.${q(table)}`;
}

/**
 * Appends the rows in one transaction (nothing is visible unless every row is written):
 * multi-row `INSERT … VALUES ($1::type, …), …` statements of up to 1,000 rows. Each parameter
 * is cast to the column's type without modifiers, so the column's own typmod applies as an
 * assignment (a too-long varchar fails with 22001, as it would in PostgreSQL).
 */
export function insertRows(remote: RemoteDatabase, q: SqlDialect['quoteIdentifier'], table: TableMetadata, rows: AsyncIterable<Batch>): Promise<number> {
  const columns = table.columns;
  const target = `${q(table.schema)}.${q(table.name)} (${columns.map((c) => q(c.name)).join(', ')})`;
  const formatters = columns.map((c) => valueFormatter(c.type));
  const perStatement = Math.max(1, Math.min(MAX_ROWS_PER_STATEMENT, Math.floor(MAX_PARAMETERS / Math.max(1, columns.length))));
  const statements = new Map<number, string>();
  const statementFor = (count: number): string => {
    let sql = statements.get(count);
    if (sql === undefined) {
      const tuples: string[] = [];
      for (let r = 0; r < count; r++) tuples.push(`(${columns.map((c, j) => `$${r * columns.length + j + 1}::${castName(c.type)}`).join(', ')})`);
      sql = `INSERT INTO ${target} VALUES ${tuples.join(', ')}`;
      statements.set(count, sql);
    }
    return sql;
  };
  return remote.transaction(async (lease: Lease) => {
    let values: (string | null)[] = [];
    let pendingRows = 0;
    let written = 0;
    const flush = async () => {
      if (pendingRows === 0) return;
      await lease.run(statementFor(pendingRows), values);
      written += pendingRows;
      values = [];
      pendingRows = 0;
    };
    for await (const batch of rows) {
      for (let i = 0; i < batch.length; i++) {
        for (let j = 0; j < columns.length; j++) {
          const v = batch.columns[j]!;
          values.push(isNullAt(v, i) ? null : formatters[j]!((v.data as ArrayLike<unknown>)[i]));
        }
        if (++pendingRows === perStatement) await flush();
      }
    }
    await flush();
    return written;
  });
}
