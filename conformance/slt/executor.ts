/**
 * Runs the records of one sqllogictest file against a session and checks them.
 */
import type { Session, TextResult } from '../runner/session.js';
import { StatementError } from '../runner/session.js';
import type { Difference } from './differences.js';
import { appliesTo, type SltRecord } from './parser.js';
import { HASH_LINE, hashLine, hashValues, renderValue, resultLines, sortValues } from './render.js';

/** When a file never sets hash-threshold, the reference runner uses 8. */
export const DEFAULT_HASH_THRESHOLD = 8;

export interface Mismatch {
  readonly line: number;
  readonly sql: string;
  readonly problem: string;
  readonly expected?: readonly string[];
  readonly actual?: readonly string[];
}

/** What a record actually did, for --complete. */
export type Outcome =
  | { readonly kind: 'statement'; readonly error?: StatementError }
  | { readonly kind: 'query'; readonly lines: readonly string[] }
  | { readonly kind: 'query-error'; readonly error: StatementError };

export interface FileResult {
  passed: number;
  failed: number;
  skipped: number;
  /** Records on the PostgreSQL-difference list, checked against PostgreSQL's answer. */
  differences: number;
  halted: boolean;
  readonly mismatches: Mismatch[];
  readonly outcomes: Map<SltRecord, Outcome>;
}

export interface ExecuteOptions {
  readonly engine: string;
  readonly fileName: string;
  /** Records (by 1-based line) whose expected answer on PostgreSQL differs from the file's. */
  readonly differences: ReadonlyMap<number, Difference>;
}

type Check = { ok: true } | { ok: false; problem: string; expected?: readonly string[]; actual?: readonly string[] };

export async function executeFile(session: Session, records: readonly SltRecord[], options: ExecuteOptions): Promise<FileResult> {
  const result: FileResult = { passed: 0, failed: 0, skipped: 0, differences: 0, halted: false, mismatches: [], outcomes: new Map() };
  const labels = new Map<string, { hash: string; line: number }>();
  let threshold = DEFAULT_HASH_THRESHOLD;
  for (const record of records) {
    if (record.kind === 'hash-threshold') {
      threshold = record.threshold;
      continue;
    }
    if (!appliesTo(record, options.engine)) {
      if (record.kind !== 'halt') result.skipped++;
      continue;
    }
    if (record.kind === 'halt') {
      result.halted = true;
      break;
    }
    const difference = options.differences.get(record.line);
    if (difference) result.differences++;
    let check: Check;
    if (record.kind === 'statement') {
      check = await runStatement(session, record, result, difference);
    } else {
      check = await runQuery(session, record, threshold, labels, result, difference);
    }
    if (check.ok) result.passed++;
    else {
      result.failed++;
      const note = difference ? ` (on the PostgreSQL-difference list: ${difference.reason})` : '';
      result.mismatches.push({ line: record.line, sql: record.sql, problem: check.problem + note, expected: check.expected, actual: check.actual });
    }
  }
  return result;
}

async function attempt(session: Session, sql: string): Promise<TextResult | StatementError> {
  try {
    return await session.query(sql);
  } catch (e) {
    if (e instanceof StatementError) return e;
    throw e;
  }
}

const describeError = (e: StatementError) => `${e.code || 'no SQLSTATE'}: ${e.message}`;

async function runStatement(
  session: Session,
  record: Extract<SltRecord, { kind: 'statement' }>,
  result: FileResult,
  difference: Difference | undefined,
): Promise<Check> {
  const outcome = await attempt(session, record.sql);
  const error = outcome instanceof StatementError ? outcome : undefined;
  result.outcomes.set(record, { kind: 'statement', error });
  const expectError = difference?.expected.kind === 'error' ? true : difference?.expected.kind === 'ok' ? false : record.expectError;
  const sqlstate = difference?.expected.kind === 'error' ? difference.expected.sqlstate : record.sqlstate;
  if (!expectError) return error ? { ok: false, problem: `statement failed: ${describeError(error)}` } : { ok: true };
  if (!error) return { ok: false, problem: 'statement succeeded, an error was expected' };
  if (sqlstate && error.code !== sqlstate) return { ok: false, problem: `expected SQLSTATE ${sqlstate}, got ${describeError(error)}` };
  return { ok: true };
}

async function runQuery(
  session: Session,
  record: Extract<SltRecord, { kind: 'query' }>,
  threshold: number,
  labels: Map<string, { hash: string; line: number }>,
  result: FileResult,
  difference: Difference | undefined,
): Promise<Check> {
  const outcome = await attempt(session, record.sql);
  if (outcome instanceof StatementError) {
    result.outcomes.set(record, { kind: 'query-error', error: outcome });
    if (difference?.expected.kind === 'error' && (!difference.expected.sqlstate || difference.expected.sqlstate === outcome.code)) return { ok: true };
    return { ok: false, problem: `query failed: ${describeError(outcome)}` };
  }
  if (outcome.columns.length !== record.types.length) {
    result.outcomes.set(record, { kind: 'query', lines: [] });
    return { ok: false, problem: `type string "${record.types}" has ${record.types.length} columns, the result has ${outcome.columns.length}` };
  }
  const rendered = outcome.rows.map((row) => row.map((v, i) => renderValue(v, record.types[i]!, outcome.columns[i]!.typeOid)));
  const values = sortValues(rendered, record.sort);
  result.outcomes.set(record, { kind: 'query', lines: resultLines(values, threshold) });
  const expected = difference?.expected.kind === 'result' ? difference.expected.lines : record.expected;
  const hashed = expected.length === 1 && HASH_LINE.test(expected[0]!);
  const actual = hashed ? [hashLine(values)] : values;
  if (!sameLines(actual, expected)) return { ok: false, problem: 'wrong result', expected, actual };
  if (record.label !== undefined) {
    const hash = hashValues(values);
    const seen = labels.get(record.label);
    if (!seen) labels.set(record.label, { hash, line: record.line });
    else if (seen.hash !== hash) return { ok: false, problem: `label "${record.label}": result differs from the one at line ${seen.line}` };
  }
  return { ok: true };
}

function sameLines(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
