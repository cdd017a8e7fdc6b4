/**
 * PostgreSQL's `interval`: months, days and microseconds kept apart (a month is not a fixed
 * number of days). Parsing follows interval_in (PostgreSQL units, 'ago', h:m:s fields,
 * SQL-standard 'Y-M' and 'D H:M:S', ISO 8601 'P…' forms), output follows EncodeInterval for
 * each IntervalStyle, comparison normalises 30 days/month and 24 h/day like interval_cmp.
 */
import { SqlError, SqlState } from '../errors/index.js';

export interface Interval {
  months: number;
  days: number;
  micros: bigint;
}

export type IntervalStyle = 'postgres' | 'postgres_verbose' | 'sql_standard' | 'iso_8601';

const USECS_PER_SEC = 1_000_000;
const USECS_PER_DAY = 86_400_000_000n;
const USECS_PER_HOUR = 3_600_000_000n;
const USECS_PER_MINUTE = 60_000_000n;
const INT32_MAX = 2147483647;

export const interval = (months: number, days: number, micros: bigint): Interval => ({ months, days, micros });
export const ZERO_INTERVAL: Interval = interval(0, 0, 0n);

const outOfRange = () => new SqlError(SqlState.DATETIME_VALUE_OUT_OF_RANGE, 'interval out of range');
const checkInt32 = (v: number): number => {
  if (!Number.isFinite(v) || v > INT32_MAX || v < -INT32_MAX - 1) throw outOfRange();
  return v;
};
const checkInt64 = (v: bigint): bigint => {
  if (v > 0x7fffffffffffffffn || v < -0x8000000000000000n) throw outOfRange();
  return v;
};

// ---- arithmetic ------------------------------------------------------------------------------

export const addIntervals = (a: Interval, b: Interval): Interval =>
  interval(checkInt32(a.months + b.months), checkInt32(a.days + b.days), checkInt64(a.micros + b.micros));

export const negateInterval = (a: Interval): Interval =>
  interval(checkInt32(-a.months) || 0, checkInt32(-a.days) || 0, checkInt64(-a.micros));

export const subIntervals = (a: Interval, b: Interval): Interval => addIntervals(a, negateInterval(b));

/** rint to microseconds, as PostgreSQL's TSROUND. */
const tsRound = (x: number): number => Math.round(x * 1e6) / 1e6;
/** C rint(): round half to even. */
export const rint = (x: number): number => {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
};

/** interval_mul / interval_div: scale each field, cascading fractional months/days downwards. */
function scaleInterval(span: Interval, scale: (x: number) => number): Interval {
  const monthsD = scale(span.months);
  const daysD = scale(span.days);
  const months = Math.trunc(checkInt32(monthsD));
  let days = Math.trunc(checkInt32(daysD));
  const monthRemainderDays = tsRound((monthsD - months) * 30);
  let secRemainder = tsRound((daysD - days + monthRemainderDays - Math.trunc(monthRemainderDays)) * 86400);
  if (Math.abs(secRemainder) >= 86400) {
    const whole = Math.trunc(secRemainder / 86400);
    days += whole;
    secRemainder -= whole * 86400;
  }
  days += Math.trunc(monthRemainderDays);
  const micros = rint(scale(Number(span.micros)) + secRemainder * USECS_PER_SEC);
  if (!Number.isFinite(micros) || Math.abs(micros) >= 9.223372036854776e18) throw outOfRange();
  return interval(months, checkInt32(days), BigInt(micros));
}

export function multiplyInterval(span: Interval, factor: number): Interval {
  if (Number.isNaN(factor)) throw outOfRange();
  return scaleInterval(span, (x) => x * factor);
}

export function divideInterval(span: Interval, factor: number): Interval {
  if (factor === 0) throw new SqlError(SqlState.DIVISION_BY_ZERO, 'division by zero');
  if (Number.isNaN(factor)) throw outOfRange();
  return scaleInterval(span, (x) => x / factor);
}

/** The interval as one number of microseconds (30-day months, 24-hour days) for comparison. */
export const intervalSpan = (a: Interval): bigint =>
  a.micros + BigInt(a.days) * USECS_PER_DAY + BigInt(a.months) * 30n * USECS_PER_DAY;

export function compareIntervals(a: Interval, b: Interval): -1 | 0 | 1 {
  const x = intervalSpan(a);
  const y = intervalSpan(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** justify_hours: whole days out of the time part, signs made consistent (as timestamp_mi does). */
export function justifyHours(a: Interval): Interval {
  let days = a.days + Number(a.micros / USECS_PER_DAY);
  let micros = a.micros % USECS_PER_DAY;
  if (days > 0 && micros < 0n) {
    micros += USECS_PER_DAY;
    days--;
  } else if (days < 0 && micros > 0n) {
    micros -= USECS_PER_DAY;
    days++;
  }
  return interval(a.months, checkInt32(days), micros);
}

// ---- output ----------------------------------------------------------------------------------

interface Fields {
  year: number;
  mon: number;
  mday: number;
  hour: number;
  min: number;
  sec: number;
  fsec: number;
}

/** interval2tm: every field carries the sign of its source. */
function toFields(a: Interval): Fields {
  const t = a.micros;
  return {
    year: Math.trunc(a.months / 12),
    mon: a.months % 12 || 0,
    mday: a.days,
    hour: Number(t / USECS_PER_HOUR),
    min: Number((t % USECS_PER_HOUR) / USECS_PER_MINUTE),
    sec: Number((t % USECS_PER_MINUTE) / 1_000_000n),
    fsec: Number(t % 1_000_000n),
  };
}

/** |sec| with the fraction (trailing zeros trimmed), zero-padded to 2 digits when asked. */
function seconds(sec: number, fsec: number, pad: boolean): string {
  const whole = String(Math.abs(sec)).padStart(pad ? 2 : 1, '0');
  if (fsec === 0) return whole;
  return whole + '.' + String(Math.abs(fsec)).padStart(6, '0').replace(/0+$/, '');
}

const pad2 = (n: number): string => String(Math.abs(n)).padStart(2, '0');

export function formatInterval(a: Interval, style: string = 'postgres'): string {
  const f = toFields(a);
  switch (style.toLowerCase()) {
    case 'sql_standard': return formatSqlStandard(f);
    case 'iso_8601': return formatIso(f);
    case 'postgres_verbose': return formatVerbose(f);
    default: return formatPostgres(f);
  }
}

function formatPostgres(f: Fields): string {
  const parts: string[] = [];
  let isBefore = false;
  const add = (value: number, unit: string) => {
    if (value === 0) return;
    parts.push(`${isBefore && value > 0 ? '+' : ''}${value} ${unit}${value !== 1 ? 's' : ''}`);
    isBefore = value < 0;
  };
  add(f.year, 'year');
  add(f.mon, 'mon');
  add(f.mday, 'day');
  if (parts.length === 0 || f.hour !== 0 || f.min !== 0 || f.sec !== 0 || f.fsec !== 0) {
    const minus = f.hour < 0 || f.min < 0 || f.sec < 0 || f.fsec < 0;
    parts.push(`${minus ? '-' : isBefore ? '+' : ''}${pad2(f.hour)}:${pad2(f.min)}:${seconds(f.sec, f.fsec, true)}`);
  }
  return parts.join(' ');
}

function formatVerbose(f: Fields): string {
  let out = '@';
  let isZero = true;
  let isBefore = false;
  const add = (value: number, unit: string) => {
    if (value === 0) return;
    if (isZero) {
      isBefore = value < 0;
      value = Math.abs(value);
    } else if (isBefore) value = -value;
    out += ` ${value} ${unit}${value === 1 ? '' : 's'}`;
    isZero = false;
  };
  add(f.year, 'year');
  add(f.mon, 'mon');
  add(f.mday, 'day');
  add(f.hour, 'hour');
  add(f.min, 'min');
  if (f.sec !== 0 || f.fsec !== 0) {
    out += ' ';
    if (f.sec < 0 || (f.sec === 0 && f.fsec < 0)) {
      if (isZero) isBefore = true;
      else if (!isBefore) out += '-';
    } else if (isBefore) out += '-';
    out += `${seconds(f.sec, f.fsec, false)} sec${Math.abs(f.sec) !== 1 || f.fsec !== 0 ? 's' : ''}`;
    isZero = false;
  }
  if (isZero) out += ' 0';
  if (isBefore) out += ' ago';
  return out;
}

function formatIso(f: Fields): string {
  if (!f.year && !f.mon && !f.mday && !f.hour && !f.min && !f.sec && !f.fsec) return 'PT0S';
  const part = (v: number, unit: string) => (v ? `${v}${unit}` : '');
  let out = 'P' + part(f.year, 'Y') + part(f.mon, 'M') + part(f.mday, 'D');
  if (f.hour || f.min || f.sec || f.fsec) out += 'T';
  out += part(f.hour, 'H') + part(f.min, 'M');
  if (f.sec || f.fsec) out += (f.sec < 0 || f.fsec < 0 ? '-' : '') + seconds(f.sec, f.fsec, false) + 'S';
  return out;
}

function formatSqlStandard(f: Fields): string {
  const values = [f.year, f.mon, f.mday, f.hour, f.min, f.sec, f.fsec];
  const hasNegative = values.some((v) => v < 0);
  const hasPositive = values.some((v) => v > 0);
  const hasYearMonth = f.year !== 0 || f.mon !== 0;
  const hasDayTime = f.mday !== 0 || f.hour !== 0 || f.min !== 0 || f.sec !== 0 || f.fsec !== 0;
  const standard = !(hasNegative && hasPositive) && !(hasYearMonth && hasDayTime);
  if (!hasNegative && !hasPositive) return '0';
  const time = (h: number) => `${Math.abs(h)}:${pad2(f.min)}:${seconds(f.sec, f.fsec, true)}`;
  if (!standard) {
    const ySign = f.year < 0 || f.mon < 0 ? '-' : '+';
    const dSign = f.mday < 0 ? '-' : '+';
    const tSign = f.hour < 0 || f.min < 0 || f.sec < 0 || f.fsec < 0 ? '-' : '+';
    return `${ySign}${Math.abs(f.year)}-${Math.abs(f.mon)} ${dSign}${Math.abs(f.mday)} ${tSign}${time(f.hour)}`;
  }
  const sign = hasNegative ? '-' : '';
  if (hasYearMonth) return `${sign}${Math.abs(f.year)}-${Math.abs(f.mon)}`;
  if (f.mday !== 0) return `${sign}${Math.abs(f.mday)} ${time(f.hour)}`;
  return `${sign}${time(f.hour)}`;
}

// ---- input -----------------------------------------------------------------------------------

/** Unit words → [months, days, microseconds] per unit. */
const UNITS: Record<string, [number, number, number]> = {};
const defineUnit = (names: string[], months: number, days: number, micros: number) => {
  for (const n of names) UNITS[n] = [months, days, micros];
};
defineUnit(['microsecond', 'microseconds', 'us', 'usec', 'usecs', 'useconds', 'microsecon'], 0, 0, 1);
defineUnit(['millisecond', 'milliseconds', 'ms', 'msec', 'msecs', 'mseconds', 'millisecon'], 0, 0, 1000);
defineUnit(['second', 'seconds', 's', 'sec', 'secs'], 0, 0, 1e6);
defineUnit(['minute', 'minutes', 'm', 'min', 'mins'], 0, 0, 60e6);
defineUnit(['hour', 'hours', 'h', 'hr', 'hrs'], 0, 0, 3600e6);
defineUnit(['day', 'days', 'd'], 0, 1, 0);
defineUnit(['week', 'weeks', 'w'], 0, 7, 0);
defineUnit(['month', 'months', 'mon', 'mons'], 1, 0, 0);
defineUnit(['year', 'years', 'y', 'yr', 'yrs'], 12, 0, 0);
defineUnit(['decade', 'decades', 'dec', 'decs'], 120, 0, 0);
defineUnit(['century', 'centuries', 'c', 'cent'], 1200, 0, 0);
defineUnit(['millennium', 'millennia', 'mil', 'mils', 'millenniums'], 12000, 0, 0);

/** Accumulates fields, cascading fractions downwards the way DecodeInterval does. */
class Acc {
  months = 0;
  days = 0;
  micros = 0;

  add(value: number, [m, d, us]: [number, number, number]): void {
    if (m) {
      const total = value * m;
      const whole = Math.trunc(total);
      this.months += whole;
      this.addDays((total - whole) * 30);
    } else if (d) this.addDays(value * d);
    else this.micros += value * us;
  }

  private addDays(v: number): void {
    const whole = Math.trunc(tsRound(v));
    this.days += whole;
    this.micros += (v - whole) * 86400e6;
  }

  result(negate: boolean): Interval {
    const s = negate ? -1 : 1;
    const micros = rint(this.micros);
    if (!Number.isFinite(micros) || Math.abs(micros) >= 9.223372036854776e18) throw outOfRange();
    return interval(checkInt32(s * this.months) || 0, checkInt32(s * this.days) || 0, BigInt(s * micros));
  }
}

const NUM = String.raw`[+-]?(?:\d+(?:\.\d*)?|\.\d+)`;
const TIME_RE = /^([+-])?(\d+):(\d+)(?::(\d+(?:\.\d*)?))?$/;
const YM_RE = /^([+-])?(\d+)-(\d+)$/;
const TOKEN_RE = new RegExp(String.raw`^(${NUM})\s*([a-zA-Z]+)?$`);

/** interval_in. `style` only matters for SQL-standard sign propagation. */
export function parseInterval(text: string, style: string = 'postgres'): Interval {
  const bad = () => new SqlError(SqlState.INVALID_DATETIME_FORMAT, `invalid input syntax for type interval: "${text}"`);
  let s = text.trim().toLowerCase();
  if (s.startsWith('p')) return parseIso8601(s, bad);
  if (s.startsWith('@')) s = s.slice(1).trim();
  let tokens = s.split(/\s+/).filter(Boolean);
  let ago = false;
  if (tokens.at(-1) === 'ago') {
    ago = true;
    tokens = tokens.slice(0, -1);
  }
  if (tokens.length === 0) throw bad();
  // "1 day" / "1day": a number and its unit may be separate tokens.
  const merged: string[] = [];
  for (const t of tokens) {
    if (/^[a-z]+$/.test(t) && merged.length && /^[+-]?[\d.]+$/.test(merged.at(-1)!)) merged[merged.length - 1] += t;
    else merged.push(t);
  }
  const acc = new Acc();
  const leadingMinus = merged[0]!.startsWith('-');
  const sqlStd = style.toLowerCase() === 'sql_standard' && leadingMinus;
  const sign = (t: string): number => (sqlStd && !/^[+-]/.test(t) ? -1 : 1);
  let unitless: number | undefined;
  for (const t of merged) {
    let m: RegExpExecArray | null;
    if ((m = TIME_RE.exec(t))) {
      if (unitless !== undefined) acc.add(unitless * sign(String(unitless)), UNITS.day!), (unitless = undefined);
      const neg = m[1] === '-' || (sqlStd && !m[1]);
      const us = (Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4] ?? 0)) * 1e6;
      acc.micros += neg ? -us : us;
    } else if ((m = YM_RE.exec(t))) {
      const neg = m[1] === '-';
      acc.months += (neg ? -1 : 1) * (Number(m[2]) * 12 + Number(m[3]));
    } else if ((m = TOKEN_RE.exec(t))) {
      const value = Number(m[1]);
      if (!Number.isFinite(value)) throw bad();
      if (m[2] === undefined) {
        if (unitless !== undefined) throw bad();
        unitless = value;
        continue;
      }
      const unit = UNITS[m[2]];
      if (!unit) throw bad();
      acc.add(sqlStd && !/^[+-]/.test(m[1]!) ? -value : value, unit);
    } else throw bad();
  }
  if (unitless !== undefined) acc.add(unitless * (sqlStd && unitless > 0 ? -1 : 1), UNITS.second!);
  return acc.result(ago);
}

const ISO_UNITS_DATE: Record<string, [number, number, number]> = { y: UNITS.year!, m: UNITS.month!, w: UNITS.week!, d: UNITS.day! };
const ISO_UNITS_TIME: Record<string, [number, number, number]> = { h: UNITS.hour!, m: UNITS.minute!, s: UNITS.second! };

function parseIso8601(s: string, bad: () => SqlError): Interval {
  const acc = new Acc();
  const alt = /^p(\d{4})-?(\d{2})-?(\d{2})(?:t(\d{2}):?(\d{2}):?(\d{2}(?:\.\d*)?))?$/.exec(s);
  if (alt) {
    acc.months = Number(alt[1]) * 12 + Number(alt[2]);
    acc.days = Number(alt[3]);
    acc.micros = (Number(alt[4] ?? 0) * 3600 + Number(alt[5] ?? 0) * 60 + Number(alt[6] ?? 0)) * 1e6;
    return acc.result(false);
  }
  const [datePart, timePart, extra] = s.slice(1).split('t');
  if (extra !== undefined || (datePart === '' && !timePart)) throw bad();
  const eat = (part: string, units: Record<string, [number, number, number]>) => {
    const re = new RegExp(String.raw`(${NUM})([a-z])`, 'y');
    let pos = 0;
    while (pos < part.length) {
      re.lastIndex = pos;
      const m = re.exec(part);
      const unit = m && units[m[2]!];
      if (!m || !unit) throw bad();
      acc.add(Number(m[1]), unit);
      pos = re.lastIndex;
    }
  };
  eat(datePart ?? '', ISO_UNITS_DATE);
  if (timePart !== undefined) {
    if (timePart === '') throw bad();
    eat(timePart, ISO_UNITS_TIME);
  }
  return acc.result(false);
}
