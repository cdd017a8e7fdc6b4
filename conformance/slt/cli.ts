/**
 * sqllogictest runner: conformance/slt/run.sh [options] FILE_OR_DIR...  (see README.md)
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { numberFlag, parseArgs, REPO_ROOT, seconds, stringFlag } from '../runner/args.js';
import { endpointFromEnv, Session, type Endpoint } from '../runner/session.js';
import { completeFile } from './complete.js';
import { differencesFor, loadDifferences, type Difference } from './differences.js';
import { executeFile, type FileResult, type Mismatch } from './executor.js';
import { parseSlt } from './parser.js';

const USAGE = `usage: conformance/slt/run.sh [options] FILE_OR_DIR...
  --target gateway|postgres   endpoint from LAKEGATE_* or ORACLE_*/PG_TEST_PORT (default gateway)
  --host H --port P --user U --database D   override the endpoint
  --engine NAME               engine name for skipif/onlyif (default postgresql)
  --complete                  rewrite the files with the actual results
  --show N                    mismatches printed per file (default 5)
  --timeout MS                per-statement timeout (default 30000)
  --differences FILE          PostgreSQL-difference list (default conformance/slt/pg-differences.txt)
A directory means its *.slt and *.test files. Ends with "N passed, N failed"; exit 1 on failures.`;

interface Options {
  readonly endpoint: Endpoint;
  readonly target: string;
  readonly engine: string;
  readonly complete: boolean;
  readonly show: number;
  readonly timeoutMs: number;
  readonly differences: readonly Difference[];
}

function options(argv: readonly string[]): { options: Options; files: string[] } {
  const args = parseArgs(argv, ['complete', 'help']);
  if (args.flags.has('help') || args.positional.length === 0) {
    console.log(USAGE);
    process.exit(args.flags.has('help') ? 0 : 2);
  }
  const target = stringFlag(args, 'target', 'gateway');
  if (target !== 'gateway' && target !== 'postgres') throw new Error('--target must be gateway or postgres');
  const base = endpointFromEnv(target, target === 'postgres' ? process.env.SLT_PG_DB : undefined);
  const endpoint: Endpoint = {
    host: stringFlag(args, 'host', base.host),
    port: numberFlag(args, 'port', base.port),
    user: stringFlag(args, 'user', base.user),
    database: stringFlag(args, 'database', base.database),
  };
  return {
    options: {
      endpoint,
      target,
      engine: stringFlag(args, 'engine', 'postgresql').toLowerCase(),
      complete: args.flags.has('complete'),
      show: numberFlag(args, 'show', 5),
      timeoutMs: numberFlag(args, 'timeout', 30_000),
      differences: loadDifferences(stringFlag(args, 'differences', join(REPO_ROOT, 'conformance/slt/pg-differences.txt'))),
    },
    files: args.positional.flatMap(expand),
  };
}

function expand(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .filter((f) => f.endsWith('.slt') || f.endsWith('.test'))
    .sort()
    .map((f) => join(path, f));
}

/** A fresh schema per file, created and dropped the same way on the gateway (memory catalog) and PostgreSQL. */
function schemaName(file: string): string {
  return `slt_${basename(file).replace(/\.[^.]*$/, '').replace(/[^a-zA-Z0-9]/g, '_').toLowerCase()}_${process.pid}`;
}

async function runOne(file: string, opts: Options): Promise<FileResult> {
  const text = readFileSync(file, 'utf8');
  const records = parseSlt(text, basename(file));
  const schema = schemaName(file);
  const session = await Session.open(opts.endpoint, { applicationName: 'lakegate-slt', timeoutMs: opts.timeoutMs });
  try {
    await session.query(`drop schema if exists ${schema} cascade`);
    await session.query(`create schema ${schema}`);
    await session.addSetup(`set search_path to ${schema}`);
    const result = await executeFile(session, records, {
      engine: opts.engine,
      fileName: basename(file),
      differences: differencesFor(opts.differences, file),
    });
    if (opts.complete) writeFileSync(file, completeFile(text, records, result.outcomes));
    return result;
  } finally {
    await session.query(`drop schema if exists ${schema} cascade`).catch((e: Error) => console.log(`  (could not drop schema ${schema}: ${e.message})`));
    await session.close();
  }
}

function printMismatch(file: string, m: Mismatch): void {
  const indent = (s: string) => s.split('\n').map((l) => `        ${l}`).join('\n');
  console.log(`    FAIL ${basename(file)}:${m.line}: ${m.problem}`);
  console.log(indent(m.sql));
  const show = (label: string, lines: readonly string[] | undefined) => {
    if (lines === undefined) return;
    const head = lines.slice(0, 12).join(' | ') + (lines.length > 12 ? ` | … (${lines.length} values)` : '');
    console.log(`      ${label}: ${head || '(no rows)'}`);
  };
  show('expected', m.expected);
  show('actual  ', m.actual);
}

async function main(): Promise<number> {
  const { options: opts, files } = options(process.argv.slice(2));
  const { host, port, database } = opts.endpoint;
  console.log(`slt: ${files.length} file(s) on ${opts.target} ${host}:${port}/${database}, engine ${opts.engine}${opts.complete ? ', completing' : ''}`);
  let passed = 0;
  let failed = 0;
  for (const file of files) {
    const t0 = performance.now();
    let result: FileResult;
    try {
      result = await runOne(file, opts);
    } catch (e) {
      failed++;
      console.log(`  ${basename(file)}: could not run: ${(e as Error).message}`);
      continue;
    }
    passed += result.passed;
    failed += result.failed;
    const extra = [result.differences ? `${result.differences} on the PostgreSQL-difference list` : '', result.halted ? 'halted' : '']
      .filter(Boolean)
      .join(', ');
    console.log(
      `  ${basename(file).padEnd(28)} ${String(result.passed).padStart(5)} passed ${String(result.failed).padStart(5)} failed ` +
        `${String(result.skipped).padStart(4)} skipped  ${seconds(performance.now() - t0).padStart(7)}${extra ? `  (${extra})` : ''}`,
    );
    result.mismatches.slice(0, opts.show).forEach((m) => printMismatch(file, m));
    if (result.mismatches.length > opts.show) console.log(`    … and ${result.mismatches.length - opts.show} more`);
  }
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e: Error) => {
    console.error(`slt: ${e.message}`);
    process.exit(2);
  },
);
