/**
 * --complete: rewrites a file with the results actually returned (as DataFusion's
 * sqllogictest --complete does). Comments, conditions, SQL and records that did
 * not run are kept verbatim; statements get `statement ok` or
 * `statement error <SQLSTATE>`; queries get their results after `----`. A query
 * that failed is left as it was (and reported as a failure).
 */
import type { Outcome } from './executor.js';
import { splitLines, type SltRecord } from './parser.js';

export function completeFile(text: string, records: readonly SltRecord[], outcomes: ReadonlyMap<SltRecord, Outcome>): string {
  const lines = splitLines(text);
  const out: string[] = [];
  let next = 0;
  for (const record of records) {
    const outcome = outcomes.get(record);
    if (!outcome || outcome.kind === 'query-error') continue;
    const [start, end] = record.span;
    out.push(...lines.slice(next, start));
    next = end;
    if (outcome.kind === 'statement' && record.kind === 'statement') {
      const header = headerIndex(lines, start, end);
      const replacement = outcome.error ? `statement error${outcome.error.code ? ` ${outcome.error.code}` : ''}` : 'statement ok';
      out.push(...lines.slice(start, header), replacement, ...lines.slice(header + 1, end));
    } else if (outcome.kind === 'query' && record.kind === 'query') {
      out.push(...lines.slice(start, record.separator >= 0 ? record.separator : end), '----', ...outcome.lines);
    } else {
      out.push(...lines.slice(start, end));
    }
  }
  out.push(...lines.slice(next));
  return out.join('\n') + '\n';
}

function headerIndex(lines: readonly string[], start: number, end: number): number {
  for (let i = start; i < end; i++) if (/^(statement|query)\b/.test(lines[i]!.trim())) return i;
  throw new Error(`no record header in lines ${start + 1}-${end}`);
}
