// Writes a TPC-H result as bench/results/tpch-sf<N>-<timestamp>.{md,json,svg}.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RESULTS, ensureDir, fmtMs, stamp } from './common.mjs';
import { checksumText } from './check.mjs';
import { machineLine } from './machine.mjs';

const COLORS = { lakegate: '#2b6cb0', duckdb: '#d69e2e', postgres: '#38a169', trino: '#c53030' };
const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(a / b >= 10 ? 0 : 1)}×` : '—');

export function writeTpchReport(result, base = `tpch-sf${result.scale}-${stamp()}`) {
  ensureDir(RESULTS);
  const files = { md: join(RESULTS, `${base}.md`), json: join(RESULTS, `${base}.json`), svg: join(RESULTS, `${base}.svg`) };
  writeFileSync(files.json, JSON.stringify(result, null, 2) + '\n');
  writeFileSync(files.svg, svgChart(result));
  writeFileSync(files.md, markdown(result, `${base}.svg`));
  return files;
}

function markdown(r, svgName) {
  const ok = r.engines.filter((e) => e.status === 'ok');
  const names = ok.map((e) => e.name);
  const hasDuck = names.includes('duckdb');
  const L = [];
  L.push(`# TPC-H SF ${r.scale}: ${ok.map((e) => e.label).join(' vs ')}`, '');
  L.push(`${r.startedAt} – ${r.finishedAt}. Each query: one warm-up run, then ${r.runs} timed runs; the tables show the **median** of the timed runs in milliseconds (client-side: from sending the query until every row is received) and the min–max spread.`, '');
  L.push('## Machine', '');
  L.push(`- ${machineLine(r.machine)}`);
  L.push(`- Lakegate commit ${r.machine.lakegateCommit}; DuckDB (@duckdb/node-api) ${r.machine.duckdb}`);
  for (const e of r.engines) {
    if (e.status !== 'ok') L.push(`- **${e.name}: ${e.status}**`);
    else for (const n of e.notes ?? []) L.push(`- ${n}`);
  }
  for (const n of r.notes ?? []) L.push(`- ${n}`);
  L.push('');
  L.push(`![per-query times, log scale](${svgName})`, '');
  L.push('## Summary', '');
  L.push(`| engine | queries completed | geometric mean ms | total ms | geo. mean over the ${r.summary.commonQueries.length} queries all completed | ratio to DuckDB (geo. mean) |`);
  L.push('|---|---:|---:|---:|---:|---:|');
  const duckGeo = r.summary.duckdb?.commonGeomeanMs;
  for (const e of ok) {
    const s = r.summary[e.name];
    L.push(`| ${e.label} | ${s.completed}/${r.queries.length} | ${fmtMs(s.geomeanMs)} | ${fmtMs(s.totalMs)} | ${fmtMs(s.commonGeomeanMs)} | ${hasDuck ? ratio(s.commonGeomeanMs, duckGeo) : '—'} |`);
  }
  const lg = r.summary.lakegate;
  if (lg?.coldGeomeanMs) {
    L.push('');
    L.push(`Lakegate cold (first run of each query on a freshly started gateway): geometric mean ${fmtMs(lg.coldGeomeanMs)} ms, total ${fmtMs(lg.coldTotalMs)} ms; warm (median of the later runs): geometric mean ${fmtMs(lg.geomeanMs)} ms, total ${fmtMs(lg.totalMs)} ms. Gateway start to first accepted query: median ${fmtMs(lg.startMsMedian)} ms (not included in the cold time).`);
  }
  L.push('', '## Per query (median ms, [min–max])', '');
  const head = ['query'];
  for (const n of names) {
    head.push(ok.find((e) => e.name === n).label.replace(/ \(.*\)$/, ''));
    if (n === 'lakegate') head.push('Lakegate cold');
    if (hasDuck && n !== 'duckdb') head.push(`÷ DuckDB`);
  }
  L.push(`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i ? '---:' : '---')).join('|')}|`);
  for (const q of r.queries) {
    const cells = [q.name];
    const duck = q.results.duckdb?.medianMs;
    for (const n of names) {
      const x = q.results[n];
      cells.push(!x ? '—' : x.error ? `error` : `${fmtMs(x.medianMs)} [${fmtMs(x.minMs)}–${fmtMs(x.maxMs)}]${x.disagrees ? ' ⚠' : ''}`);
      if (n === 'lakegate') cells.push(x && Number.isFinite(x.coldMs) ? fmtMs(x.coldMs) : '—');
      if (hasDuck && n !== 'duckdb') cells.push(x && !x.error ? ratio(x.medianMs, duck) : '—');
    }
    L.push(`| ${cells.join(' | ')} |`);
  }
  L.push('', '## Result agreement', '');
  L.push(`Each engine's first result of every query is summarised as row count, the sum of its numeric values rounded to 2 decimals (Σ) and an order-insensitive hash of its text values (h); compared with ${r.checkReference ?? '—'}.`, '');
  if (r.disagreements?.length) {
    L.push('**Disagreements:**', '');
    for (const d of r.disagreements) L.push(`- ⚠ ${d.query} ${d.engine} vs ${d.reference}: ${d.problem}`);
  } else L.push('All engines agree on every query they completed.');
  const errors = r.queries.flatMap((q) => names.filter((n) => q.results[n]?.error).map((n) => `- ${q.name} ${n}: ${q.results[n].error}`));
  if (errors.length) L.push('', '**Errors:**', '', ...errors);
  L.push('', '| query | ' + names.join(' | ') + ' |', '|---|' + names.map(() => '---').join('|') + '|');
  for (const q of r.queries) L.push(`| ${q.name} | ${names.map((n) => checksumText(q.results[n]?.checksum)).join(' | ')} |`);
  L.push('', '## Timed runs (ms)', '');
  for (const q of r.queries) {
    const parts = names.map((n) => {
      const x = q.results[n];
      if (!x || x.error) return `${n}: —`;
      return `${n}: first ${fmtMs(x.firstMs)}; ${x.runsMs.map(fmtMs).join(', ')}`;
    });
    L.push(`- ${q.name}: ${parts.join(' · ')}`);
  }
  L.push('');
  return L.join('\n');
}

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** Grouped bars per query, one bar per engine (warm median), log-scale y axis. */
export function svgChart(r) {
  const names = r.engines.filter((e) => e.status === 'ok').map((e) => e.name);
  const labels = Object.fromEntries(r.engines.map((e) => [e.name, e.label]));
  const vals = r.queries.flatMap((q) => names.map((n) => q.results[n]?.medianMs)).filter((v) => Number.isFinite(v) && v > 0);
  const lo = Math.pow(10, Math.floor(Math.log10(Math.min(...vals, 1))));
  const hi = Math.pow(10, Math.ceil(Math.log10(Math.max(...vals, 10))));
  const W = 1100;
  const H = 460;
  const m = { l: 70, r: 20, t: 50, b: 60 };
  const pw = W - m.l - m.r;
  const ph = H - m.t - m.b;
  const y = (v) => m.t + ph - ((Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * ph;
  const gw = pw / r.queries.length;
  const bw = Math.max(2, (gw * 0.8) / Math.max(1, names.length));
  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="${m.l}" y="20" font-size="14" font-weight="bold">TPC-H SF ${esc(r.scale)}: median ms per query (log scale, lower is better)</text>`);
  for (let d = lo; d <= hi * 1.0001; d *= 10) {
    const yy = y(d).toFixed(1);
    out.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${yy}" y2="${yy}" stroke="#ddd"/>`);
    out.push(`<text x="${m.l - 6}" y="${yy}" text-anchor="end" dominant-baseline="middle">${d >= 1000 ? `${d / 1000} s` : `${d} ms`}</text>`);
  }
  r.queries.forEach((q, i) => {
    const x0 = m.l + i * gw + gw * 0.1;
    names.forEach((n, j) => {
      const v = q.results[n]?.medianMs;
      const x = (x0 + j * bw).toFixed(1);
      if (Number.isFinite(v) && v > 0) {
        const top = y(Math.max(v, lo));
        out.push(`<rect x="${x}" y="${top.toFixed(1)}" width="${(bw - 1).toFixed(1)}" height="${(m.t + ph - top).toFixed(1)}" fill="${COLORS[n] ?? '#666'}"><title>${esc(labels[n])} ${q.name}: ${fmtMs(v)} ms</title></rect>`);
      } else out.push(`<text x="${x}" y="${m.t + ph - 3}" font-size="9" fill="${COLORS[n] ?? '#666'}">×</text>`);
    });
    out.push(`<text x="${(m.l + i * gw + gw / 2).toFixed(1)}" y="${m.t + ph + 15}" text-anchor="middle">${q.name}</text>`);
  });
  out.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${m.t + ph}" y2="${m.t + ph}" stroke="#333"/>`);
  let lx = m.l;
  for (const n of names) {
    const text = labels[n].replace(/ \(Debian[^)]*\)/, '');
    out.push(`<rect x="${lx}" y="${H - 22}" width="12" height="12" fill="${COLORS[n] ?? '#666'}"/>`);
    out.push(`<text x="${lx + 16}" y="${H - 12}">${esc(text)}</text>`);
    lx += 16 + text.length * 6.6 + 24;
  }
  out.push('</svg>');
  return out.join('\n') + '\n';
}

/** bench/results/scale-<timestamp>.md/.json: how each engine's time grows with the scale factor. */
export function writeScaleReport(results) {
  ensureDir(RESULTS);
  const base = `scale-${results.map((r) => `sf${r.scale}`).join('-')}-${stamp()}`;
  const engines = [...new Set(results.flatMap((r) => r.engines.filter((e) => e.status === 'ok').map((e) => e.name)))];
  const L = [`# TPC-H scaling: SF ${results.map((r) => r.scale).join(', ')}`, ''];
  L.push(`- ${machineLine(results[0].machine)}`, '');
  L.push('Geometric mean / total of the warm medians over the queries each engine completed (ms), and the growth of the total relative to the previous scale factor.', '');
  L.push(`| engine | ${results.map((r) => `SF ${r.scale} geo. mean | SF ${r.scale} total`).join(' | ')} | growth of total |`);
  L.push(`|---|${results.map(() => '---:|---:').join('|')}|---|`);
  for (const n of engines) {
    const cells = results.map((r) => {
      const s = r.summary[n];
      return s ? `${fmtMs(s.geomeanMs)} | ${fmtMs(s.totalMs)} (${s.completed}/${r.queries.length})` : '— | —';
    });
    const growth = results
      .slice(1)
      .map((r, i) => {
        const a = results[i].summary[n]?.totalMs;
        const b = r.summary[n]?.totalMs;
        return `×${Number.isFinite(a) && Number.isFinite(b) && a > 0 ? (b / a).toFixed(1) : '—'} (SF ${results[i].scale}→${r.scale})`;
      })
      .join(', ');
    L.push(`| ${n} | ${cells.join(' | ')} | ${growth || '—'} |`);
  }
  L.push('', 'Per-scale reports: ' + results.map((r) => `\`${r.file ?? ''}\``).join(', '), '');
  writeFileSync(join(RESULTS, `${base}.md`), L.join('\n'));
  writeFileSync(join(RESULTS, `${base}.json`), JSON.stringify(results.map((r) => ({ scale: r.scale, file: r.file, summary: r.summary, engines: r.engines })), null, 2) + '\n');
  return join(RESULTS, `${base}.md`);
}
