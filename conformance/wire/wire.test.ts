/**
 * Runs every scripts/*.pgtest against (a) the PostgreSQL at PG_WIRE_URL, when set, and
 * (b) the gateway started in-process on a free port with the real engine.
 * WIRE_REWRITE=1 (with PG_WIRE_URL) rewrites the expectations from PostgreSQL's answers.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connector } from '../../connectors/spi/index.js';
import { silentLogger } from '../../server/log.js';
import { startServer, type RunningServer } from '../../server/server.js';
import { runScript, type Target } from './runner.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'scripts');
const scripts = readdirSync(dir).filter((f) => f.endsWith('.pgtest')).sort();
const rewriting = process.env.WIRE_REWRITE === '1';

function postgresTarget(url: string): Target {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username || 'postgres'),
    database: decodeURIComponent(u.pathname.slice(1) || u.username || 'postgres'),
  };
}

/** The connectors main.ts would use; none (literal SQL only) until connectors/registry.ts exists. */
async function defaultCatalogs(): Promise<Map<string, Connector>> {
  const registry = '../../connectors/registry.js';
  try {
    const mod = (await import(/* @vite-ignore */ registry)) as { createDefaultCatalogs(): Map<string, Connector> };
    return mod.createDefaultCatalogs();
  } catch {
    return new Map();
  }
}

const pgUrl = process.env.PG_WIRE_URL;
describe.skipIf(!pgUrl)('wire scripts against PostgreSQL (PG_WIRE_URL)', () => {
  const target = pgUrl ? postgresTarget(pgUrl) : null;
  it.each(scripts)('%s', async (name) => {
    const result = await runScript(join(dir, name), target!);
    if (rewriting) writeFileSync(join(dir, name), result.rewritten);
    else expect(result.failures.join('\n\n')).toBe('');
  });
});

describe.skipIf(rewriting)('wire scripts against the gateway', () => {
  let server: RunningServer;
  let target: Target;
  beforeAll(async () => {
    // Imported here so that the PostgreSQL half runs even while the engine does not load.
    const { createEngine } = await import('../../engine/index.js');
    server = await startServer({ engine: createEngine({ catalogs: await defaultCatalogs() }), port: 0, log: silentLogger });
    target = {
      host: '127.0.0.1',
      port: server.port,
      user: process.env.LAKEGATE_USER ?? 'lakegate',
      database: process.env.LAKEGATE_DB ?? 'lakegate',
    };
  });
  afterAll(() => server?.close());

  it.each(scripts)('%s', async (name) => {
    const result = await runScript(join(dir, name), target);
    expect(result.failures.join('\n\n')).toBe('');
  });
});
