/** Parsing with PostgreSQL's own grammar (libpg-query); splits a query string into statements. */
import { loadModule, parseSync } from 'libpg-query';
import { SqlError, SqlState } from '../errors/index.js';
import type { AstNode } from './ast.js';

await loadModule();

export interface RawStatement {
  /** The statement's own text. */
  readonly sql: string;
  /** Offset of `sql` in the original string, for error positions. */
  readonly offset: number;
  readonly ast: AstNode;
}

interface ParseFailure {
  message: string;
  sqlDetails?: { message?: string; cursorPosition?: number };
}

/** Parses SQL text into statements; throws SqlError 42601 with a 1-based position (22021 for escapes making invalid UTF-8). */
export function parseStatements(sql: string): RawStatement[] {
  if (sql.trim() === '') return [];
  let result: { stmts?: { stmt: AstNode; stmt_location?: number; stmt_len?: number }[] };
  try {
    result = parseSync(sql) as typeof result;
  } catch (e) {
    const failure = e as ParseFailure;
    const cursor = failure.sqlDetails?.cursorPosition;
    const message = failure.sqlDetails?.message ?? failure.message;
    // The scanner's one data error: an escape (E'\xff') that makes bytes which are not UTF-8.
    const code = message.startsWith('invalid byte sequence for encoding') ? SqlState.CHARACTER_NOT_IN_REPERTOIRE : SqlState.SYNTAX_ERROR;
    throw new SqlError(code, message, code === SqlState.SYNTAX_ERROR && cursor !== undefined ? { position: cursor + 1 } : {});
  }
  return (result.stmts ?? []).map((s) => {
    const offset = s.stmt_location ?? 0;
    const text = s.stmt_len ? sql.slice(offset, offset + s.stmt_len) : sql.slice(offset);
    return { sql: text.trim().replace(/;$/, ''), offset, ast: s.stmt };
  });
}
