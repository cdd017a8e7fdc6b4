import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDefaultCatalogs, parseProperties } from './registry.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('catalog files', () => {
  it('reads Java-style properties with environment references', () => {
    process.env.LAKEGATE_TEST_SECRET = 's3cr3t';
    expect(parseProperties('# comment\n! also\nconnector.name = lake\nroot: s3://b/p\ns3.aws-secret-key=${ENV:LAKEGATE_TEST_SECRET}\n\n')).toEqual({
      'connector.name': 'lake', root: 's3://b/p', 's3.aws-secret-key': 's3cr3t',
    });
    expect(() => parseProperties('x=${ENV:LAKEGATE_TEST_UNSET_VARIABLE}')).toThrow(/LAKEGATE_TEST_UNSET_VARIABLE/);
  });

  it('mounts one catalog per NAME.properties next to the embedded default', () => {
    const dir = mkdtempSync(join(tmpdir(), 'catalogs-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'warehouse.properties'), `connector.name=lake\nroot=${dir}\n`);
    writeFileSync(join(dir, 'notes.txt'), 'ignored');
    const catalogs = createDefaultCatalogs({ catalogDir: dir });
    expect([...catalogs.keys()].sort()).toEqual(['lake', 'memory', 'tpch', 'warehouse']);
    expect(catalogs.get('warehouse')!.name).toBe('warehouse');
    writeFileSync(join(dir, 'bad.properties'), 'connector.name=nosuch\n');
    expect(() => createDefaultCatalogs({ catalogDir: dir })).toThrow(/unknown connector.name "nosuch"/);
  });
});
