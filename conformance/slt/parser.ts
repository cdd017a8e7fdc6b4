/**
 * Parser for sqllogictest files (the format of ../shared/slt/README.md), plus one
 * extension: `statement error <SQLSTATE>` (see README.md).
 */

export type SortMode = 'nosort' | 'rowsort' | 'valuesort';

export interface Condition {
  readonly kind: 'skipif' | 'onlyif';
  readonly engine: string;
}

interface Base {
  /** 1-based line of the record's first line (its first condition, else its header). */
  readonly line: number;
  /** 0-based [start, end) line span of the record in the file, for --complete. */
  readonly span: readonly [number, number];
  readonly conditions: readonly Condition[];
}

export type SltRecord =
  | (Base & { readonly kind: 'statement'; readonly expectError: boolean; readonly sqlstate?: string; readonly sql: string })
  | (Base & {
      readonly kind: 'query';
      readonly types: string;
      readonly sort: SortMode;
      readonly label?: string;
      readonly sql: string;
      readonly expected: readonly string[];
      /** Line index (0-based) of `----`, or -1 when the record has none. */
      readonly separator: number;
    })
  | (Base & { readonly kind: 'hash-threshold'; readonly threshold: number })
  | (Base & { readonly kind: 'halt' });

export class SltSyntaxError extends Error {}

const SQLSTATE = /^[0-9A-Z]{5}$/;

/** Splits into lines, accepting CRLF. */
export function splitLines(text: string): string[] {
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

const isBlank = (line: string) => line.trim() === '';
const isComment = (line: string) => line.startsWith('#');

export function parseSlt(text: string, fileName = '<input>'): SltRecord[] {
  const lines = splitLines(text);
  const records: SltRecord[] = [];
  let i = 0;
  while (i < lines.length) {
    if (isBlank(lines[i]!) || isComment(lines[i]!)) {
      i++;
      continue;
    }
    const start = i;
    const body: { text: string; index: number }[] = [];
    for (; i < lines.length && !isBlank(lines[i]!); i++) if (!isComment(lines[i]!)) body.push({ text: lines[i]!, index: i });
    records.push(parseRecord(body, [start, i], fileName));
  }
  return records;
}

function parseRecord(body: readonly { text: string; index: number }[], span: [number, number], fileName: string): SltRecord {
  const conditions: Condition[] = [];
  let k = 0;
  for (; k < body.length; k++) {
    const words = body[k]!.text.trim().split(/\s+/);
    if (words[0] !== 'skipif' && words[0] !== 'onlyif') break;
    if (!words[1]) throw new SltSyntaxError(`${fileName}:${body[k]!.index + 1}: ${words[0]} needs an engine name`);
    conditions.push({ kind: words[0], engine: words[1].toLowerCase() });
  }
  const where = `${fileName}:${(body[k] ?? body[body.length - 1]!).index + 1}`;
  if (k >= body.length) throw new SltSyntaxError(`${where}: condition without a record`);
  const header = body[k]!.text.trim().split(/\s+/);
  const rest = body.slice(k + 1);
  const base = { line: span[0] + 1, span, conditions };
  switch (header[0]) {
    case 'statement': {
      const [, mode, state] = header;
      if (mode !== 'ok' && mode !== 'error') throw new SltSyntaxError(`${where}: expected "statement ok" or "statement error"`);
      if (state !== undefined && (mode === 'ok' || !SQLSTATE.test(state)))
        throw new SltSyntaxError(`${where}: "statement error" takes an optional five-character SQLSTATE, got "${state}"`);
      return { ...base, kind: 'statement', expectError: mode === 'error', sqlstate: state, sql: joinSql(rest, where) };
    }
    case 'query': {
      const [, types, sort = 'nosort', label] = header;
      if (!types || !/^[ITR]+$/.test(types)) throw new SltSyntaxError(`${where}: query type string must be letters I, T, R`);
      if (sort !== 'nosort' && sort !== 'rowsort' && sort !== 'valuesort') throw new SltSyntaxError(`${where}: unknown sort mode "${sort}"`);
      const sep = rest.findIndex((l) => l.text === '----');
      const sqlLines = sep < 0 ? rest : rest.slice(0, sep);
      const expected = sep < 0 ? [] : rest.slice(sep + 1).map((l) => l.text);
      return { ...base, kind: 'query', types, sort, label, sql: joinSql(sqlLines, where), expected, separator: sep < 0 ? -1 : rest[sep]!.index };
    }
    case 'hash-threshold': {
      const n = Number(header[1]);
      if (!Number.isInteger(n) || n < 0) throw new SltSyntaxError(`${where}: hash-threshold needs a non-negative integer`);
      return { ...base, kind: 'hash-threshold', threshold: n };
    }
    case 'halt':
      return { ...base, kind: 'halt' };
    default:
      throw new SltSyntaxError(`${where}: unknown record "${header[0]}"`);
  }
}

function joinSql(lines: readonly { text: string }[], where: string): string {
  const sql = lines.map((l) => l.text).join('\n').trim();
  if (sql === '') throw new SltSyntaxError(`${where}: record has no SQL`);
  return sql;
}

/** Whether the record runs on `engine` (lower case): no skipif names it, every onlyif does. */
export function appliesTo(record: SltRecord, engine: string): boolean {
  return record.conditions.every((c) => (c.kind === 'skipif' ? c.engine !== engine : c.engine === engine));
}
