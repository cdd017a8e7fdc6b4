/**
 * Metadata JSON with 64-bit integers kept exact: integers of 16 or more digits are read as
 * BigInt and written back as JSON numbers, so snapshot ids survive a read-modify-write of a
 * metadata file and ids Lakegate generates are written as numbers.
 */
const MARK = '\u0000long:';

/** JSON.parse with long integers as BigInt. */
export function parseJsonWithLongs(text: string): unknown {
  const quoted = text.replace(/([:[,]\s*)(-?\d{16,})(?=\s*[,}\]])/g, (_, lead: string, digits: string) => `${lead}"\\u0000long:${digits}"`);
  return JSON.parse(quoted, (_k, v: unknown) => (typeof v === 'string' && v.startsWith(MARK) ? BigInt(v.slice(MARK.length)) : v));
}

/** JSON.stringify with BigInt values written as JSON numbers. */
export function stringifyJsonWithLongs(value: unknown, indent?: number): string {
  const text = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${MARK}${v}` : v), indent);
  return text.replace(/"\\u0000long:(-?\d+)"/g, '$1');
}
