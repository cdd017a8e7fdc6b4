// The iceberg connector against the real Iceberg REST catalog (scripts/services/iceberg-rest.sh)
// and S3 store (scripts/services/s3.sh): pyiceberg writes a table through the catalog
// (pyiceberg_roundtrip.py), the connector finds it through the catalog, reads its files from
// S3 with the settings the catalog hands out, and sees the same rows.
//   ICEBERG_REST_URI (http://127.0.0.1:8181), VENV or LAKE_PYTHON: the python with pyiceberg
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { icebergConnectorFactory } from '../../connectors/iceberg/index.js';
import { openTestSession } from '../../engine/testing/run-sql.js';

const catalogUri = (process.env.ICEBERG_REST_URI ?? 'http://127.0.0.1:8181').replace(/\/$/, '');
const python = process.env.LAKE_PYTHON ?? (process.env.VENV ? `${process.env.VENV}/bin/python` : 'python3');
const namespace = `ice_${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;

describe('iceberg connector on the REST catalog', () => {
  it('reads a table pyiceberg wrote through the catalog', async () => {
    const script = fileURLToPath(new URL('./pyiceberg_roundtrip.py', import.meta.url));
    const r = spawnSync(python, [script, namespace], { encoding: 'utf8', env: { ...process.env, ICEBERG_REST_URI: catalogUri }, timeout: 120_000 });
    if (r.status !== 0) throw new Error(`pyiceberg could not write the table (is scripts/services/iceberg-rest.sh running?):\n${r.stderr}`);
    const written = JSON.parse(r.stdout.trim().split('\n').pop()!) as { rows: { id: number; name: string | null; score: number | null }[] };

    const ice = icebergConnectorFactory.create('ice', { 'connector.name': 'iceberg', 'iceberg.catalog.type': 'rest', 'iceberg.rest-catalog.uri': catalogUri });
    const s = openTestSession(new Map([['ice', ice]]), 'tester', 'ice');
    expect((await s.query('select schema_name from information_schema.schemata')).rows.map((x) => x[0])).toContain(namespace);
    const got = (await s.query(`select id, name, score from ${namespace}.rows order by id`)).rows;
    expect(got).toEqual(written.rows.map((w) => [String(w.id), w.name, w.score === null ? null : String(w.score)]));
    expect((await s.query(`select count(*) from ${namespace}."rows$snapshots"`)).rows).toEqual([['2']]);
    const missing = await s.query(`select * from ${namespace}.nope`).catch((e: { code: string }) => e);
    expect((missing as { code: string }).code).toBe('42P01');
  });
});
