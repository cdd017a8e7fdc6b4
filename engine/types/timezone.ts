/**
 * Time zones as PostgreSQL's TimeZone setting understands them: IANA names (offsets and DST
 * from Intl, which carries the same tz database, LMT included), plain numbers ('+02', '-7',
 * hours east), POSIX strings without DST rules ('UTC+3', 'XYZ-2': hours WEST, PG's POSIX
 * convention), and the abbreviations PostgreSQL's default tznames accept in input.
 */
import { SqlError, SqlState } from '../errors/index.js';

export interface TimeZone {
  readonly name: string;
  /** Offset east of UTC in seconds at a UTC instant (µs since 1970). */
  offsetAt(utcMicros: bigint): number;
  /** The abbreviation PG prints in SQL/Postgres/German DateStyle (e.g. 'EST', 'CET', '+0530', 'LMT'). */
  abbrevAt(utcMicros: bigint): string;
}

/** '+05', '+0530', '-04:56:02'-style abbreviation as tzdata writes numeric abbreviations. */
export function numericAbbrev(offsetSec: number): string {
  const a = Math.abs(offsetSec);
  const h = Math.floor(a / 3600);
  const m = Math.floor((a % 3600) / 60);
  const s = a % 60;
  let out = (offsetSec < 0 ? '-' : '+') + String(h).padStart(2, '0');
  if (m || s) out += String(m).padStart(2, '0');
  if (s) out += String(s).padStart(2, '0');
  return out;
}

function fixedZone(name: string, offsetSec: number, abbrev = numericAbbrev(offsetSec)): TimeZone {
  return { name, offsetAt: () => offsetSec, abbrevAt: () => abbrev };
}

export const UTC: TimeZone = fixedZone('UTC', 0, 'UTC');

/** Milliseconds within JavaScript Date's range (for offset lookups of extreme timestamps). */
const MAX_MS = 8.64e15 - 86_400_000 * 2;
const clampMs = (utcMicros: bigint): number => {
  const ms = Number(utcMicros / 1000n);
  return Math.max(-MAX_MS, Math.min(MAX_MS, ms));
};

function ianaZone(name: string): TimeZone | undefined {
  let offsetFmt: Intl.DateTimeFormat;
  try {
    offsetFmt = new Intl.DateTimeFormat('en-US', { timeZone: name, timeZoneName: 'longOffset' });
  } catch {
    return undefined;
  }
  const abbrevFmts = ['en-US', 'en-GB', 'en-IN'].map((l) => new Intl.DateTimeFormat(l, { timeZone: name, timeZoneName: 'short' }));
  const offsetAt = (utcMicros: bigint): number => {
    const part = offsetFmt.formatToParts(clampMs(utcMicros)).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
    const m = /^GMT([+-])(\d\d):(\d\d)(?::(\d\d))?$/.exec(part);
    if (!m) return 0;
    const secs = Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4] ?? 0);
    return m[1] === '-' ? -secs : secs;
  };
  const abbrevAt = (utcMicros: bigint): string => {
    const off = offsetAt(utcMicros);
    if (off % 60 !== 0) return 'LMT';
    for (const f of abbrevFmts) {
      const a = f.formatToParts(clampMs(utcMicros)).find((p) => p.type === 'timeZoneName')?.value ?? '';
      if (a && !/^(GMT|UTC)[+-]/.test(a)) return a;
    }
    return numericAbbrev(off);
  };
  return { name, offsetAt, abbrevAt };
}

const POSIX = /^([A-Za-z]{3,}|<[^>]+>)([+-]?)(\d{1,2})(?::(\d\d)(?::(\d\d))?)?$/;
const zoneCache = new Map<string, TimeZone | null>();

/** The zone a TimeZone setting names, or undefined when PostgreSQL would not accept it. */
export function findTimeZone(setting: string): TimeZone | undefined {
  const cached = zoneCache.get(setting);
  if (cached !== undefined) return cached ?? undefined;
  const zone = lookup(setting.trim());
  zoneCache.set(setting, zone ?? null);
  return zone;
}

function lookup(s: string): TimeZone | undefined {
  const upper = s.toUpperCase();
  if (upper === 'UTC' || upper === 'ETC/UTC' || upper === 'Z' || upper === 'ZULU') return fixedZone(s, 0, 'UTC');
  if (upper === 'GMT' || upper === 'ETC/GMT') return fixedZone(s, 0, 'GMT');
  if (/^[+-]?\d+(\.\d+)?$/.test(s)) return fixedZone(s, Math.round(Number(s) * 3600));
  const posix = POSIX.exec(s);
  if (posix && !ianaZone(s)) {
    const secs = Number(posix[3]) * 3600 + Number(posix[4] ?? 0) * 60 + Number(posix[5] ?? 0);
    const abbrev = posix[1]!.replace(/^<|>$/g, '');
    return fixedZone(s, posix[2] === '-' ? secs : -secs, abbrev);
  }
  return ianaZone(s);
}

/** The session zone; an unknown name is 22023 as SET TimeZone reports it. */
export function sessionTimeZone(setting: string): TimeZone {
  const z = findTimeZone(setting);
  if (!z) throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `invalid value for parameter "TimeZone": "${setting}"`);
  return z;
}

/** Abbreviations from PostgreSQL's default timezone_abbreviations set (offsets in hours east). */
const ABBREVS: Record<string, number> = {
  utc: 0, gmt: 0, z: 0, zulu: 0, ut: 0, wet: 0, west: 1, bst: 1, cet: 1, cest: 2, met: 1, mest: 2,
  eet: 2, eest: 3, msk: 3, ist: 2, jst: 9, kst: 9, hkt: 8, awst: 8, acst: 9.5, acdt: 10.5, aest: 10, aedt: 11,
  nzst: 12, nzdt: 13, est: -5, edt: -4, cst: -6, cdt: -5, mst: -7, mdt: -6, pst: -8, pdt: -7,
  akst: -9, akdt: -8, hst: -10, ast: -4, adt: -3, nst: -3.5, ndt: -2.5,
};

/** Offset (seconds east) of a zone abbreviation used inside a date/time literal. */
export function abbrevOffset(word: string): number | undefined {
  const h = ABBREVS[word.toLowerCase()];
  return h === undefined ? undefined : h * 3600;
}

/**
 * The UTC instant of a local wall-clock time in `zone`, resolving DST gaps and overlaps as
 * PostgreSQL's DetermineTimeZoneOffset does (of two candidate offsets, the later instant wins).
 */
export function localToUtc(localMicros: bigint, zone: TimeZone): bigint {
  const day = 86_400_000_000n;
  const before = zone.offsetAt(localMicros - day);
  const after = zone.offsetAt(localMicros + day);
  const candidates = before === after ? [before] : [before, after];
  const valid = candidates.filter((o) => zone.offsetAt(localMicros - BigInt(o) * 1_000_000n) === o);
  const pick = valid.length === 1 ? valid[0]! : Math.min(...candidates);
  return localMicros - BigInt(pick) * 1_000_000n;
}

/** Offset east (seconds) in effect at a local wall-clock time. */
export function offsetForLocal(localMicros: bigint, zone: TimeZone): number {
  return Number((localMicros - localToUtc(localMicros, zone)) / 1_000_000n);
}
