// A description of the machine and the software versions, for every result file.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { ROOT, run } from './common.mjs';
import { duckdbPackageVersion } from './data.mjs';
import { GATEWAY_DIR } from './services.mjs';

export async function describeMachine() {
  let cpu = os.cpus()[0]?.model ?? 'unknown';
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) cpu = m[1].trim();
  } catch {
    /* not Linux */
  }
  const git = await run('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT }).catch(() => ({ stdout: '' }));
  const dirty =
    GATEWAY_DIR === ROOT
      ? await run('git', ['status', '--porcelain', '--', 'server', 'engine', 'connectors', 'auth'], { cwd: ROOT }).catch(() => ({ stdout: '' }))
      : { stdout: '' };
  let kernel = os.release();
  let osName = os.type();
  try {
    const m = /^PRETTY_NAME="?(.+?)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'));
    if (m) osName = m[1];
  } catch {
    /* no os-release */
  }
  return {
    cpu,
    cores: os.cpus().length,
    memoryGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    os: `${osName}, Linux ${kernel}`,
    node: process.version,
    loadAverage: os.loadavg().map((x) => +x.toFixed(2)),
    duckdb: duckdbPackageVersion(),
    lakegateCommit:
      git.stdout.trim() + (dirty.stdout.trim() ? ' (with uncommitted changes)' : '') + (GATEWAY_DIR !== ROOT ? ` (gateway built from ${GATEWAY_DIR}, BENCH_GATEWAY_DIR)` : ''),
  };
}

export function machineLine(m) {
  const load = m.loadAverage ? `; load average ${m.loadAverage.join(' / ')} (1/5/15 min) when the run started${m.loadAverage[0] > m.cores * 0.5 ? ': other work was running on the machine, the numbers are noisy' : ''}` : '';
  return `${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB; ${m.os}; Node ${m.node}${load}`;
}
