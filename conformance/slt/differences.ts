/**
 * The reviewed list of records whose answer on real PostgreSQL differs from the
 * file's expected answer (SQLite's), with PostgreSQL's answer and the reason
 * (pg-differences.txt; policy in README.md). Such a record is still run on every
 * target and checked against PostgreSQL's answer instead of the file's.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

export type Expected =
  | { readonly kind: 'ok' }
  | { readonly kind: 'error'; readonly sqlstate?: string }
  | { readonly kind: 'result'; readonly lines: readonly string[] };

export interface Difference {
  readonly file: string;
  readonly line: number;
  readonly expected: Expected;
  readonly reason: string;
}

const ENTRY = /^(\S+):(\d+)\s+(.+?)\s+--\s+(.+)$/;

export function parseDifferences(text: string, source = 'pg-differences.txt'): Difference[] {
  const out: Difference[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const m = ENTRY.exec(line);
    if (!m) throw new Error(`${source}:${i + 1}: expected "<file>:<line> <answer> -- <reason>"`);
    out.push({ file: m[1]!, line: Number(m[2]), expected: parseExpected(m[3]!, `${source}:${i + 1}`), reason: m[4]! });
  });
  return out;
}

function parseExpected(text: string, where: string): Expected {
  if (text === 'ok') return { kind: 'ok' };
  const error = /^error(?:\s+([0-9A-Z]{5}))?$/.exec(text);
  if (error) return { kind: 'error', sqlstate: error[1] };
  if (text.startsWith('result ')) return { kind: 'result', lines: text.slice(7).split('|') };
  throw new Error(`${where}: answer must be "ok", "error [SQLSTATE]" or "result v1|v2|..."`);
}

export function loadDifferences(path: string): Difference[] {
  return parseDifferences(readFileSync(path, 'utf8'), basename(path));
}

/** The entries for one test file (matched by base name), by record line. */
export function differencesFor(all: readonly Difference[], file: string): Map<number, Difference> {
  const name = basename(file);
  return new Map(all.filter((d) => d.file === name).map((d) => [d.line, d]));
}
