/**
 * Session settings (GUCs): the ones clients send and read, with PostgreSQL's defaults,
 * which of them are reported to the client (ParameterStatus), and how values are normalised.
 */
import { SqlError, SqlState } from '../errors/index.js';
import { availableParallelism } from 'node:os';
import { formatBytes } from '../execution/memory/estimate.js';
import { SERVER_VERSION } from '../functions/scalar/system.js';

interface SettingDef {
  readonly name: string;
  readonly defaultValue: string;
  /** Sent as ParameterStatus at startup and whenever it changes (GUC_REPORT). */
  readonly reported?: boolean;
  readonly readOnly?: boolean;
  /** Normalises a value as SHOW would print it; throws 22023 for an invalid value. */
  readonly normalize?: (value: string) => string;
}

const invalidValue = (name: string, value: string, hint?: string) =>
  new SqlError(SqlState.INVALID_PARAMETER_VALUE, `invalid value for parameter "${name}": "${value}"`, { hint });

const onOff = (name: string) => (v: string) => {
  const s = v.toLowerCase();
  if (['on', 'true', 'yes', '1', 't', 'y'].includes(s)) return 'on';
  if (['off', 'false', 'no', '0', 'f', 'n'].includes(s)) return 'off';
  throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `parameter "${name}" requires a Boolean value`);
};

const encodings = new Map([['utf8', 'UTF8'], ['unicode', 'UTF8'], ['utf-8', 'UTF8'], ['sql_ascii', 'SQL_ASCII']]);

function normalizeDateStyle(v: string): string {
  let style = 'ISO';
  let order = 'MDY';
  for (const part of v.split(',').map((p) => p.trim().toUpperCase())) {
    if (['ISO', 'SQL', 'POSTGRES', 'GERMAN'].includes(part)) style = part === 'POSTGRES' ? 'Postgres' : part === 'GERMAN' ? 'German' : part;
    else if (['MDY', 'US', 'NONEURO', 'NONEUROPEAN'].includes(part)) order = 'MDY';
    else if (['DMY', 'EURO', 'EUROPEAN'].includes(part)) order = 'DMY';
    else if (part === 'YMD') order = 'YMD';
    else if (part !== 'DEFAULT') throw invalidValue('DateStyle', v, `Unrecognized key word: "${part.toLowerCase()}".`);
  }
  if (style === 'German' && !v.toUpperCase().includes('MDY') && !v.toUpperCase().includes('YMD')) order = 'DMY';
  return `${style}, ${order}`;
}

function normalizeTimeZone(v: string): string {
  const zone = v.trim();
  if (/^(utc|gmt)$/i.test(zone)) return zone.toUpperCase();
  if (/^(?:(?:UTC|GMT)?[+-]\d{1,2}(?::\d{2})?|\d{1,2})$/i.test(zone)) return zone;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone;
  } catch {
    throw invalidValue('TimeZone', v);
  }
}

const intSetting = (name: string, min: number, max: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n)) throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `invalid value for parameter "${name}": "${v}"`);
  if (n < min || n > max) {
    throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `${n} is outside the valid range for parameter "${name}" (${min} .. ${max})`);
  }
  return String(n);
};

/** Milliseconds settings such as statement_timeout accept units: '5s', '100ms', '1min'. */
const durationMs = (name: string) => (v: string) => {
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*(ms|s|min|h|d)?\s*$/.exec(v);
  if (!m) throw invalidValue(name, v, 'Valid units for this parameter are "us", "ms", "s", "min", "h", and "d".');
  const factor = { ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] ?? 'ms']!;
  const ms = Math.round(Number(m[1]) * factor);
  if (ms < 0 || ms > 2147483647) throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `${ms} ms is outside the valid range for parameter "${name}" (0 .. 2147483647)`);
  return formatMs(ms);
};

/** As SHOW prints a millisecond setting: the largest unit that divides it. */
export function formatMs(ms: number): string {
  if (ms === 0) return '0';
  for (const [unit, f] of [['d', 86_400_000], ['h', 3_600_000], ['min', 60_000], ['s', 1000]] as const) if (ms % f === 0) return `${ms / f}${unit}`;
  return `${ms}ms`;
}

export function parseMs(shown: string): number {
  const m = /^(\d+)(ms|s|min|h|d)?$/.exec(shown);
  if (!m) return 0;
  return Number(m[1]) * { ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] ?? 'ms']!;
}

const MEMORY_UNITS: Record<string, number> = { b: 1, kb: 2 ** 10, mb: 2 ** 20, gb: 2 ** 30, tb: 2 ** 40 };

/** Memory settings take PostgreSQL's units ('64MB', '1GB'; a bare number is kB, as for work_mem). */
const memorySetting = (name: string) => (v: string) => {
  const m = /^\s*(\d+)\s*([kmgt]?b)?\s*$/i.exec(v);
  if (!m) throw invalidValue(name, v, 'Valid units for this parameter are "B", "kB", "MB", "GB", and "TB".');
  const bytes = Number(m[1]) * MEMORY_UNITS[(m[2] ?? 'kB').toLowerCase()]!;
  if (!Number.isSafeInteger(bytes) || bytes < 1024) throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `${v} is outside the valid range for parameter "${name}" (1kB .. 8192TB)`);
  return formatBytes(bytes);
};

/** Bytes of a memory setting as SHOW prints it ('64MB'). */
export function parseBytes(shown: string): number {
  const m = /^(\d+)(B|kB|MB|GB|TB)$/.exec(shown);
  return m ? Number(m[1]) * MEMORY_UNITS[m[2]!.toLowerCase()]! : 0;
}

const choice = (name: string, values: string[]) => (v: string) => {
  const s = v.toLowerCase();
  if (!values.includes(s)) throw invalidValue(name, v, `Available values: ${values.join(', ')}.`);
  return s;
};

const defs: SettingDef[] = [
  { name: 'server_version', defaultValue: SERVER_VERSION, reported: true, readOnly: true },
  { name: 'server_version_num', defaultValue: String(Number(SERVER_VERSION.split('.')[0]) * 10000 + Number(SERVER_VERSION.split('.')[1])), readOnly: true },
  { name: 'server_encoding', defaultValue: 'UTF8', reported: true, readOnly: true },
  {
    name: 'client_encoding',
    defaultValue: 'UTF8',
    reported: true,
    normalize: (v) => {
      const e = encodings.get(v.toLowerCase().replace(/['"]/g, ''));
      if (!e) throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, `conversion between ${v} and UTF8 is not supported`);
      return e;
    },
  },
  { name: 'DateStyle', defaultValue: 'ISO, MDY', reported: true, normalize: normalizeDateStyle },
  { name: 'IntervalStyle', defaultValue: 'postgres', reported: true, normalize: choice('IntervalStyle', ['postgres', 'postgres_verbose', 'sql_standard', 'iso_8601']) },
  { name: 'TimeZone', defaultValue: 'UTC', reported: true, normalize: normalizeTimeZone },
  { name: 'integer_datetimes', defaultValue: 'on', reported: true, readOnly: true },
  { name: 'standard_conforming_strings', defaultValue: 'on', reported: true, normalize: onOff('standard_conforming_strings') },
  { name: 'application_name', defaultValue: '', reported: true },
  { name: 'is_superuser', defaultValue: 'off', reported: true, readOnly: true },
  { name: 'session_authorization', defaultValue: '', reported: true, readOnly: true },
  /** SET ROLE: 'none', or the role whose access rules apply (engine/access; checked by the session). */
  { name: 'role', defaultValue: 'none', normalize: (v) => (v.toLowerCase() === 'none' ? 'none' : v) },
  { name: 'default_table_access_method', defaultValue: 'heap' },
  { name: 'default_transaction_read_only', defaultValue: 'off', reported: true, normalize: onOff('default_transaction_read_only') },
  { name: 'in_hot_standby', defaultValue: 'off', reported: true, readOnly: true },
  { name: 'extra_float_digits', defaultValue: '1', normalize: intSetting('extra_float_digits', -15, 3) },
  { name: 'search_path', defaultValue: '"$user", public' },
  { name: 'statement_timeout', defaultValue: '0', normalize: durationMs('statement_timeout') },
  { name: 'lock_timeout', defaultValue: '0', normalize: durationMs('lock_timeout') },
  { name: 'idle_in_transaction_session_timeout', defaultValue: '0', normalize: durationMs('idle_in_transaction_session_timeout') },
  { name: 'idle_session_timeout', defaultValue: '0', normalize: durationMs('idle_session_timeout') },
  { name: 'transaction_timeout', defaultValue: '0', normalize: durationMs('transaction_timeout') },
  { name: 'bytea_output', defaultValue: 'hex', normalize: choice('bytea_output', ['hex', 'escape']) },
  { name: 'client_min_messages', defaultValue: 'notice', normalize: choice('client_min_messages', ['debug5', 'debug4', 'debug3', 'debug2', 'debug1', 'log', 'notice', 'warning', 'error']) },
  { name: 'transaction_isolation', defaultValue: 'read committed' },
  { name: 'default_transaction_isolation', defaultValue: 'read committed' },
  { name: 'transaction_read_only', defaultValue: 'off', normalize: onOff('transaction_read_only') },
  { name: 'max_identifier_length', defaultValue: '63', readOnly: true },
  { name: 'lc_collate', defaultValue: 'C', readOnly: true },
  { name: 'lc_ctype', defaultValue: 'C', readOnly: true },
  { name: 'lc_messages', defaultValue: 'C' },
  { name: 'lc_monetary', defaultValue: 'C' },
  { name: 'lc_numeric', defaultValue: 'C' },
  { name: 'lc_time', defaultValue: 'C' },
  { name: 'geqo', defaultValue: 'on', normalize: onOff('geqo') },
  { name: 'jit', defaultValue: 'off', normalize: onOff('jit') },
  { name: 'max_parallel_workers_per_gather', defaultValue: '2', normalize: intSetting('max_parallel_workers_per_gather', 0, 1024) },
  { name: 'synchronous_commit', defaultValue: 'on' },
  { name: 'row_security', defaultValue: 'on', normalize: onOff('row_security') },
  { name: 'escape_string_warning', defaultValue: 'on', normalize: onOff('escape_string_warning') },
  { name: 'timezone_abbreviations', defaultValue: 'Default' },
  { name: 'block_size', defaultValue: '8192', readOnly: true },
  { name: 'max_connections', defaultValue: '100', readOnly: true },
  { name: 'max_index_keys', defaultValue: '32', readOnly: true },
  { name: 'enable_seqscan', defaultValue: 'on', normalize: onOff('enable_seqscan') },
  { name: 'lakegate.query_max_memory', defaultValue: '1GB', normalize: memorySetting('lakegate.query_max_memory') },
  { name: 'lakegate.spill_enabled', defaultValue: 'on', normalize: onOff('lakegate.spill_enabled') },
  { name: 'lakegate.max_spill_bytes', defaultValue: '100GB', normalize: memorySetting('lakegate.max_spill_bytes') },
  { name: 'lakegate.dynamic_filtering', defaultValue: 'on', normalize: onOff('lakegate.dynamic_filtering') },
  { name: 'lakegate.worker_threads', defaultValue: String(Math.max(1, availableParallelism() - 1)), normalize: intSetting('lakegate.worker_threads', 0, 256) },
];

/** Settings by lower-case name; DateStyle/TimeZone/IntervalStyle keep their canonical spelling. */
const byName = new Map(defs.map((d) => [d.name.toLowerCase(), d]));

export function settingDef(name: string): SettingDef | undefined {
  return byName.get(name.toLowerCase());
}

export const allSettings = (): readonly SettingDef[] => [...byName.values()];

/** Custom "prefix.name" settings are allowed, as in PostgreSQL. */
export const isCustomSettingName = (name: string): boolean => /^[A-Za-z_][\w$]*\.[A-Za-z_][\w$.]*$/.test(name);

export const unrecognized = (name: string) =>
  new SqlError(SqlState.UNDEFINED_OBJECT, `unrecognized configuration parameter "${name}"`);
