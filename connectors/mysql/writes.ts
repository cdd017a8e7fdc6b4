/**
 * CREATE/DROP SCHEMA (a MySQL database), CREATE/DROP TABLE and INSERT. Identifiers are quoted
 * by the dialect (backticks doubled); values are bound parameters of multi-row INSERTs run in
 * one transaction, so a failed INSERT leaves no row behind. New tables are InnoDB with
 * utf8mb4_bin (binary comparisons, as PostgreSQL's "C" collation).
 */
import type { Batch } from '../../engine/execution/batch/batch.js';
import { datumAt } from '../../engine/execution/batch/vector.js';
import { SqlError, SqlState } from '../../engine/errors/index.js';
import type { ColumnDefinition, TableMetadata, TableProperties } from '../spi/index.js';
import { execute, plainQuery, type MySqlClient } from './client.js';
import { dialect } from './dialect.js';
import { listTables } from './metadata.js';
import { mysqlColumnType } from './types.js';
import { encoderFor } from './values.js';

const q = (name: string) => dialect.quoteIdentifier(name);

/** Placeholders per INSERT statement at most (MySQL allows 65535). */
const MAX_PARAMETERS = 60_000;
/** Rows per INSERT statement at most. */
const MAX_ROWS = 1000;
/** Bytes of bound values per INSERT statement, about (well below max_allowed_packet). */
const MAX_BYTES = 4 << 20;

export async function createSchema(client: MySqlClient, schema: string, ifNotExists: boolean): Promise<void> {
  await client.with((c) => plainQuery(c, `CREATE DATABASE ${ifNotExists ? 'IF NOT EXISTS ' : ''}${q(schema)} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`));
}

export async function dropSchema(client: MySqlClient, schema: string, options: { ifExists: boolean; cascade: boolean }): Promise<void> {
  if (!options.cascade) {
    const tables = await listTables(client, schema);
    if (tables.length > 0) {
      throw new SqlError(SqlState.DEPENDENT_OBJECTS_STILL_EXIST, `cannot drop schema ${schema} because other objects depend on it`, {
        detail: tables.map((t) => `table ${schema}.${t} depends on schema ${schema}`).join('\n'),
        hint: 'Use DROP ... CASCADE to drop the dependent objects too.',
      });
    }
  }
  await client.with((c) => plainQuery(c, `DROP DATABASE ${options.ifExists ? 'IF EXISTS ' : ''}${q(schema)}`));
}

export async function createTable(
  client: MySqlClient, schema: string, table: string, columns: readonly ColumnDefinition[], ifNotExists: boolean, properties: TableProperties,
): Promise<void> {
  const unknown = Object.keys(properties);
  if (unknown.length > 0) throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `the mysql connector has no table property "${unknown[0]}"`);
  const list = columns.map((c) => `${q(c.name)} ${mysqlColumnType(c.type)}${c.nullable ? ' NULL' : ' NOT NULL'}`);
  const sql = `CREATE TABLE ${ifNotExists ? 'IF NOT EXISTS ' : ''}${q(schema)}.${q(table)} (${list.join(', ')}) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`;
  await client.with((c) => plainQuery(c, sql));
}

export async function dropTable(client: MySqlClient, schema: string, table: string, ifExists: boolean): Promise<void> {
  await client.with((c) => plainQuery(c, `DROP TABLE ${ifExists ? 'IF EXISTS ' : ''}${q(schema)}.${q(table)}`));
}

/** Appends the rows (columns in table order) in one transaction; returns the number written. */
export async function insertRows(client: MySqlClient, table: TableMetadata, rows: AsyncIterable<Batch>): Promise<number> {
  const columns = table.columns.filter((c) => !c.hidden);
  const encoders = columns.map((c) => encoderFor(c.type));
  const head = `INSERT INTO ${q(table.schema)}.${q(table.name)} (${columns.map((c) => q(c.name)).join(', ')}) VALUES `;
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  const rowsPerStatement = Math.max(1, Math.min(MAX_ROWS, Math.floor(MAX_PARAMETERS / Math.max(1, columns.length))));
  return client.with(async (conn) => {
    await plainQuery(conn, 'START TRANSACTION');
    try {
      let written = 0;
      let values: (string | Buffer | null)[] = [];
      let pending = 0;
      let bytes = 0;
      const flush = async () => {
        if (pending === 0) return;
        await execute(conn, head + Array(pending).fill(tuple).join(', '), values);
        written += pending;
        values = [];
        pending = 0;
        bytes = 0;
      };
      for await (const batch of rows) {
        for (let i = 0; i < batch.length; i++) {
          for (let j = 0; j < encoders.length; j++) {
            const d = datumAt(batch.columns[j]!, i);
            const v = d === null ? null : encoders[j]!(d);
            values.push(v);
            bytes += v === null ? 1 : v.length;
          }
          if (++pending === rowsPerStatement || bytes >= MAX_BYTES) await flush();
        }
      }
      await flush();
      await plainQuery(conn, 'COMMIT');
      return written;
    } catch (e) {
      await plainQuery(conn, 'ROLLBACK').catch(() => undefined);
      throw e;
    }
  });
}
