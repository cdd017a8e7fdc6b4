// Result agreement across engines: row count, the sum of every numeric value rounded to two
// decimals, and an order-insensitive hash of the non-numeric values of each row (text with
// trailing blanks removed: char(n) is blank-padded on PostgreSQL, not in Parquet).

const NUMERIC = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

function fnv1a(s) {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** rows: arrays of string|null (every engine's values as text). */
export function checksum(rows) {
  let numSum = 0;
  let numCount = 0;
  let strHash = 0;
  for (const row of rows) {
    const parts = [];
    for (const v of row) {
      if (v === null || v === undefined) {
        parts.push('\u0000null');
        continue;
      }
      const s = String(v).replace(/ +$/, '');
      if (NUMERIC.test(s)) {
        numSum += Math.round(Number(s) * 100) / 100;
        numCount++;
      }
      else parts.push(s);
    }
    strHash = (strHash + fnv1a(parts.join('\u0001'))) >>> 0;
  }
  return { rows: rows.length, numSum, numCount, strHash: strHash.toString(16).padStart(8, '0') };
}

export const checksumText = (c) => (c ? `${c.rows} rows, Σ=${c.numSum.toFixed(2)}, h=${c.strHash}` : '—');

/** undefined when a and b agree; else a short description of the difference. */
export function disagreement(a, b) {
  if (a.rows !== b.rows) return `row count ${a.rows} vs ${b.rows}`;
  if (a.strHash !== b.strHash) return `text values differ (hash ${a.strHash} vs ${b.strHash})`;
  // rounding of values that end in 5 at the third decimal may move each value by 0.01
  // (and a value computed in double precision may differ in its last digits)
  const tol = 0.0100001 * Math.max(a.numCount ?? 0, b.numCount ?? 0) + 1e-9 * Math.abs(a.numSum);
  if (Math.abs(a.numSum - b.numSum) > tol) return `numeric sum ${a.numSum.toFixed(2)} vs ${b.numSum.toFixed(2)}`;
  return undefined;
}
