/**
 * Runs pgtest-style wire scripts (the idea of CockroachDB's pkg/testutils/pgtest): `send`
 * blocks of JSON frontend messages and `until` blocks that read backend messages up to a
 * given type and compare them, normalised, with the expected JSON lines. The same script
 * runs against the gateway and against a real PostgreSQL 15. See README.md for the format.
 */
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { WireClient, type WireJson } from '../../server/testing/wire-client.js';

export interface Target {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly database: string;
}

type Block =
  | { readonly kind: 'send'; readonly line: number; readonly messages: readonly string[] }
  | {
      readonly kind: 'until';
      readonly line: number;
      /** Message types to read up to, in order; empty with `closed`: read until the server closes. */
      readonly types: readonly string[];
      readonly closed: boolean;
      readonly ignore: ReadonlySet<string>;
      readonly header: string;
      readonly expected: readonly string[];
    };

/** ParameterStatus values that legitimately differ between servers (compared by name only). */
const VARYING_SETTINGS = new Set(['server_version', 'session_authorization', 'is_superuser', 'TimeZone']);
/** ErrorResponse/NoticeResponse fields compared; file/line/routine/context differ between servers. */
const ERROR_FIELDS = ['Severity', 'SeverityUnlocalized', 'Code', 'Message', 'Detail', 'Hint', 'Position'];

export function parseScript(text: string): Block[] {
  const lines = text.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const [directive, ...args] = line.split(/\s+/);
    const body: string[] = [];
    for (i++; i < lines.length && lines[i]!.trim() !== '' && lines[i]!.trim() !== '----'; i++) body.push(lines[i]!.trim());
    const expected: string[] = [];
    if (lines[i]?.trim() === '----') for (i++; i < lines.length && lines[i]!.trim() !== ''; i++) expected.push(lines[i]!.trim());
    if (directive === 'send') blocks.push({ kind: 'send', line: blocks.length, messages: body });
    else if (directive === 'until') {
      const ignore = new Set(args.find((a) => a.startsWith('ignore='))?.slice(7).split(',') ?? []);
      blocks.push({ kind: 'until', line: blocks.length, types: body, closed: args.includes('closed'), ignore, header: line, expected });
    } else throw new Error(`unknown directive "${directive}" in line ${i + 1}`);
  }
  return blocks;
}

/** `Type {json}` → the message, with ${user} and ${database} filled in. */
function frontendMessage(line: string, target: Target): WireJson {
  const space = line.indexOf(' ');
  const type = space < 0 ? line : line.slice(0, space);
  const json = space < 0 ? '{}' : line.slice(space + 1).replaceAll('${user}', target.user).replaceAll('${database}', target.database);
  return { ...(JSON.parse(json) as object), Type: type };
}

/** Removes what differs between servers without being a protocol difference. */
function normalise(messages: readonly WireJson[]): WireJson[] {
  const out = messages.map((m): WireJson => {
    switch (m.Type) {
      case 'BackendKeyData':
        return { Type: m.Type };
      case 'ParameterStatus':
        return VARYING_SETTINGS.has(String(m.Name)) ? { ...m, Value: '*' } : m;
      case 'ErrorResponse':
      case 'NoticeResponse':
        return Object.fromEntries([['Type', m.Type], ...ERROR_FIELDS.filter((f) => f in m).map((f) => [f, m[f]])]) as WireJson;
      default:
        return m;
    }
  });
  // ParameterStatus order is not specified: compare each run sorted by name.
  for (let i = 0; i < out.length; i++) {
    let j = i;
    while (j < out.length && out[j]!.Type === 'ParameterStatus') j++;
    if (j - i > 1) out.splice(i, j - i, ...out.slice(i, j).sort((a, b) => String(a.Name).localeCompare(String(b.Name))));
    i = j;
  }
  return out;
}

async function readUntil(client: WireClient, block: Extract<Block, { kind: 'until' }>): Promise<WireJson[]> {
  const got: WireJson[] = [];
  if (block.closed) got.push(...(await client.untilClosed()));
  else for (const type of block.types) got.push(...(await client.until(type)));
  return normalise(got.filter((m) => !block.ignore.has(m.Type)));
}

export interface ScriptResult {
  readonly failures: readonly string[];
  /** The script text with every expectation replaced by what the server sent. */
  readonly rewritten: string;
}

/** Runs one script file against a target; logs in with a StartupMessage first unless the script starts with its own startup. */
export async function runScript(path: string, target: Target): Promise<ScriptResult> {
  const text = readFileSync(path, 'utf8');
  const blocks = parseScript(text);
  const client = await WireClient.connect(target.port, target.host);
  const failures: string[] = [];
  const actual = new Map<number, WireJson[]>();
  try {
    const first = blocks[0];
    const ownStartup = first?.kind === 'send' && /^(StartupMessage|SSLRequest|GSSEncRequest|CancelRequest|Raw)\b/.test(first.messages[0] ?? '');
    if (!ownStartup) await client.startup({ user: target.user, database: target.database });
    for (const block of blocks) {
      if (block.kind === 'send') {
        client.send(...block.messages.map((m) => frontendMessage(m, target)));
        continue;
      }
      const got = await readUntil(client, block);
      actual.set(block.line, got);
      const expected = block.expected.map((l) => JSON.parse(l) as unknown);
      if (!isDeepStrictEqual(got, expected)) {
        failures.push(`${block.header} [${block.types.join(', ')}]:\n  expected:\n    ${block.expected.join('\n    ')}\n  got:\n    ${got.map((m) => JSON.stringify(m)).join('\n    ')}`);
      }
    }
  } catch (err) {
    failures.push(String(err));
  } finally {
    client.destroy();
  }
  return { failures, rewritten: rewrite(text, actual) };
}

/** The script with each `until` block's expectations replaced by `actual` (datadriven's -rewrite). */
function rewrite(text: string, actual: ReadonlyMap<number, WireJson[]>): string {
  const lines = text.split('\n');
  const out: string[] = [];
  let index = -1;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    out.push(lines[i]!);
    if (line === '' || line.startsWith('#')) continue;
    index++;
    for (i++; i < lines.length && lines[i]!.trim() !== '' && lines[i]!.trim() !== '----'; i++) out.push(lines[i]!);
    const isUntil = line.startsWith('until');
    if (lines[i]?.trim() === '----') for (i++; i < lines.length && lines[i]!.trim() !== ''; i++) if (!isUntil) out.push(lines[i]!);
    if (isUntil) out.push('----', ...(actual.get(index) ?? []).map((m) => JSON.stringify(m)));
    if (i < lines.length) out.push(lines[i]!);
  }
  return out.join('\n');
}
