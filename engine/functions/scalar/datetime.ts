/**
 * Date/time functions: extract, date_part, date_trunc, now() and friends, age, make_date,
 * make_timestamp, make_interval, justify_*, timezone (AT TIME ZONE), isfinite, to_timestamp(float8).
 */
import { SqlError, SqlState } from '../../errors/index.js';
import {
  dateToTimestamp,
  dateTrunc,
  daysFromCivil,
  daysInMonth,
  extract,
  isInfiniteDate,
  isInfiniteTimestamp,
  timestampFields,
  timestampToDate,
  timestamptzToTimestamp,
  TIMESTAMP_NEG_INFINITY,
  TIMESTAMP_POS_INFINITY,
  USECS_PER_DAY,
  type DateTimeKind,
} from '../../types/datetime.js';
import { type Interval, interval, justifyHours, rint } from '../../types/interval.js';
import { T, type PgType } from '../../types/pg-type.js';
import { findTimeZone, localToUtc, type TimeZone, abbrevOffset } from '../../types/timezone.js';
import { defineScalar } from '../define.js';
import type { EvalContext } from '../registry.js';

const KINDS: ReadonlyArray<readonly [PgType, DateTimeKind | 'interval']> = [
  [T.date, 'date'],
  [T.time, 'time'],
  [T.timestamp, 'timestamp'],
  [T.timestamptz, 'timestamptz'],
  [T.interval, 'interval'],
];

const outOfRange = (what = 'timestamp') => new SqlError(SqlState.DATETIME_VALUE_OUT_OF_RANGE, `${what} out of range`);
const INT32_MAX = 2147483647;
const checkInt32 = (v: number, what: string) => {
  if (!Number.isFinite(v) || v > INT32_MAX || v < -INT32_MAX - 1) throw outOfRange(what);
  return v;
};

// ---- extract / date_part / date_trunc --------------------------------------------------------

for (const [type, kind] of KINDS) {
  const volatility = kind === 'timestamptz' ? 'stable' : 'immutable';
  defineScalar('extract', [T.text, type], T.numeric,
    ([unit, v]: [string, number | bigint | Interval], ctx) => extract(unit, v, kind, ctx.format.timeZone),
    `extract field from ${type.name}`, { volatility });
  // date_part(text, date) is SQL-defined in PostgreSQL as date_part($1, $2::timestamp).
  const partKind = kind === 'date' ? 'timestamp' : kind;
  defineScalar('date_part', [T.text, type], T.float8, ([unit, v]: [string, number | bigint | Interval], ctx) => {
    const r = extract(unit, kind === 'date' ? dateToTimestamp(v as number) : v, partKind, ctx.format.timeZone);
    return r === null ? null : r.toFloat();
  }, `extract field from ${type.name} as double precision`, { volatility });
}

defineScalar('date_trunc', [T.text, T.timestamp], T.timestamp, ([u, ts]: [string, bigint]) => dateTrunc(u, ts, 'timestamp'), 'truncate timestamp to specified precision');
defineScalar('date_trunc', [T.text, T.timestamptz], T.timestamptz, ([u, ts]: [string, bigint], ctx) => dateTrunc(u, ts, 'timestamptz', ctx.format.timeZone),
  'truncate timestamp with time zone to specified precision', { volatility: 'stable' });
defineScalar('date_trunc', [T.text, T.timestamptz, T.text], T.timestamptz, ([u, ts, zone]: [string, bigint, string]) => dateTrunc(u, ts, 'timestamptz', zoneName(zone)),
  'truncate timestamp with time zone to specified precision in the specified time zone');
defineScalar('date_trunc', [T.text, T.interval], T.interval, ([u, iv]: [string, Interval]) => truncInterval(u, iv), 'truncate interval to specified precision');

const INTERVAL_UNITS: Record<string, string> = {
  microsecond: 'microseconds', microseconds: 'microseconds', us: 'microseconds', usec: 'microseconds', usecs: 'microseconds',
  millisecond: 'milliseconds', milliseconds: 'milliseconds', ms: 'milliseconds', msec: 'milliseconds', msecs: 'milliseconds',
  second: 'second', seconds: 'second', sec: 'second', secs: 'second', s: 'second', minute: 'minute', minutes: 'minute', min: 'minute', mins: 'minute', m: 'minute',
  hour: 'hour', hours: 'hour', h: 'hour', hr: 'hour', hrs: 'hour', day: 'day', days: 'day', d: 'day', week: 'week', weeks: 'week', w: 'week',
  month: 'month', months: 'month', mon: 'month', mons: 'month', quarter: 'quarter', qtr: 'quarter', year: 'year', years: 'year', y: 'year', yr: 'year', yrs: 'year',
  decade: 'decade', decades: 'decade', dec: 'decade', century: 'century', centuries: 'century', c: 'century', cent: 'century',
  millennium: 'millennium', millennia: 'millennium', mil: 'millennium', mils: 'millennium',
};

/** interval_trunc. */
function truncInterval(unit: string, iv: Interval): Interval {
  const u = INTERVAL_UNITS[unit.toLowerCase()];
  if (u === undefined) throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `unit "${unit.toLowerCase()}" not recognized for type interval`);
  if (u === 'week') {
    throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, `unit "${unit.toLowerCase()}" not supported for type interval`, {
      detail: 'Months usually have fractional weeks.',
    });
  }
  const years = Math.trunc(iv.months / 12);
  const monthsIn = (per: number) => Math.trunc(years / per) * per * 12;
  const cut = (q: bigint) => (iv.micros / q) * q;
  switch (u) {
    case 'millennium': return interval(monthsIn(1000), 0, 0n);
    case 'century': return interval(monthsIn(100), 0, 0n);
    case 'decade': return interval(monthsIn(10), 0, 0n);
    case 'year': return interval(years * 12, 0, 0n);
    case 'quarter': return interval(years * 12 + Math.trunc((iv.months % 12) / 3) * 3, 0, 0n);
    case 'month': return interval(iv.months, 0, 0n);
    case 'day': return interval(iv.months, iv.days, 0n);
    case 'hour': return interval(iv.months, iv.days, cut(3_600_000_000n));
    case 'minute': return interval(iv.months, iv.days, cut(60_000_000n));
    case 'second': return interval(iv.months, iv.days, cut(1_000_000n));
    case 'milliseconds': return interval(iv.months, iv.days, cut(1000n));
    default: return iv;
  }
}

// ---- current time ----------------------------------------------------------------------------

const started = new WeakMap<EvalContext, bigint>();
const clock = (): bigint => BigInt(Date.now()) * 1000n;

/** The transaction start as now() sees it (µs since 1970 UTC). */
export function transactionStart(ctx: EvalContext): bigint {
  if (ctx.transactionStart !== undefined) return ctx.transactionStart;
  let t = started.get(ctx);
  if (t === undefined) started.set(ctx, (t = clock()));
  return t;
}

const statementStart = (ctx: EvalContext): bigint => ctx.statementStart ?? transactionStart(ctx);
/** Local wall-clock µs of a UTC instant in the session zone. */
const local = (utc: bigint, ctx: EvalContext) => timestamptzToTimestamp(utc, ctx.format.timeZone);

const current = (name: string, returns: PgType, f: (ctx: EvalContext) => unknown, description: string, volatility: 'stable' | 'volatile' = 'stable') =>
  defineScalar(name, [], returns, (_a, ctx) => f(ctx), description, { volatility, strict: false });

current('now', T.timestamptz, transactionStart, 'current transaction time');
current('transaction_timestamp', T.timestamptz, transactionStart, 'current transaction time');
current('current_timestamp', T.timestamptz, transactionStart, 'current transaction time (CURRENT_TIMESTAMP)');
current('statement_timestamp', T.timestamptz, statementStart, 'current statement time');
current('clock_timestamp', T.timestamptz, clock, 'current clock time', 'volatile');
current('localtimestamp', T.timestamp, (ctx) => local(transactionStart(ctx), ctx), 'current transaction time as local timestamp (LOCALTIMESTAMP)');
current('current_date', T.date, (ctx) => timestampToDate(local(transactionStart(ctx), ctx)), 'current date (CURRENT_DATE)');
current('localtime', T.time, (ctx) => {
  const l = local(transactionStart(ctx), ctx);
  return l - BigInt(timestampToDate(l)) * USECS_PER_DAY;
}, 'current time of day (LOCALTIME)');

// ---- age -------------------------------------------------------------------------------------

/** timestamp_age on local wall-clock µs: years, months, days and time, borrowing like PostgreSQL. */
function age(a: bigint, b: bigint): Interval {
  if (isInfiniteTimestamp(a) || isInfiniteTimestamp(b)) throw outOfRange();
  const f1 = timestampFields(a);
  const f2 = timestampFields(b);
  const neg = a < b;
  const s = neg ? -1 : 1;
  let fsec = s * (f1.microsecond - f2.microsecond);
  let sec = s * (f1.second - f2.second);
  let min = s * (f1.minute - f2.minute);
  let hour = s * (f1.hour - f2.hour);
  let mday = s * (f1.day - f2.day);
  let mon = s * (f1.month - f2.month);
  let year = s * (f1.year - f2.year);
  while (fsec < 0) { fsec += 1_000_000; sec--; }
  while (sec < 0) { sec += 60; min--; }
  while (min < 0) { min += 60; hour--; }
  while (hour < 0) { hour += 24; mday--; }
  while (mday < 0) {
    const ref = neg ? f1 : f2;
    mday += daysInMonth(ref.year, ref.month);
    mon--;
  }
  while (mon < 0) { mon += 12; year--; }
  const micros = BigInt(((hour * 60 + min) * 60 + sec)) * 1_000_000n + BigInt(fsec);
  return interval(s * (year * 12 + mon) || 0, s * mday || 0, neg ? -micros : micros);
}

defineScalar('age', [T.timestamp, T.timestamp], T.interval, ([a, b]: [bigint, bigint]) => age(a, b), 'date difference preserving months and years');
defineScalar('age', [T.timestamptz, T.timestamptz], T.interval, ([a, b]: [bigint, bigint], ctx) => age(local(a, ctx), local(b, ctx)),
  'date difference preserving months and years', { volatility: 'stable' });
const midnight = (ctx: EvalContext) => BigInt(timestampToDate(local(transactionStart(ctx), ctx))) * USECS_PER_DAY;
defineScalar('age', [T.timestamp], T.interval, ([b]: [bigint], ctx) => age(midnight(ctx), b), 'date difference from today\'s midnight', { volatility: 'stable' });
defineScalar('age', [T.timestamptz], T.interval, ([b]: [bigint], ctx) => age(midnight(ctx), local(b, ctx)), 'date difference from today\'s midnight', { volatility: 'stable' });

// ---- construction ----------------------------------------------------------------------------

/** Days since 1970 of a year (negative = BC, as make_date takes it), month and day; 22008 when invalid. */
function makeDate(y: number, m: number, d: number): number {
  const year = y < 0 ? y + 1 : y;
  if (y === 0 || m < 1 || m > 12 || d < 1 || d > daysInMonth(year, m)) {
    throw new SqlError(SqlState.DATETIME_FIELD_OVERFLOW, `date field value out of range: ${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`);
  }
  return daysFromCivil(year, m, d);
}

function makeTime(h: number, m: number, sec: number): bigint {
  if (h < 0 || m < 0 || m > 59 || sec < 0 || sec > 60 || h > 24 || (h === 24 && (m > 0 || sec > 0)) || Number.isNaN(sec)) {
    throw new SqlError(SqlState.DATETIME_FIELD_OVERFLOW, `time field value out of range: ${h}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}`);
  }
  return BigInt((h * 60 + m) * 60) * 1_000_000n + BigInt(rint(sec * 1e6));
}

function makeTimestamp(args: number[]): bigint {
  const [y, mo, d, h, mi, s] = args as [number, number, number, number, number, number];
  const ts = BigInt(makeDate(y, mo, d)) * USECS_PER_DAY + makeTime(h, mi, s);
  if (ts < -211813488000000000n || ts >= 9223371331200000000n) throw outOfRange();
  return ts;
}

defineScalar('make_date', [T.int4, T.int4, T.int4], T.date, ([y, m, d]: number[]) => makeDate(y!, m!, d!), 'construct date');
defineScalar('make_time', [T.int4, T.int4, T.float8], T.time, ([h, m, s]: number[]) => makeTime(h!, m!, s!), 'construct time');
const TS_ARGS = [T.int4, T.int4, T.int4, T.int4, T.int4, T.float8];
defineScalar('make_timestamp', TS_ARGS, T.timestamp, (a: number[]) => makeTimestamp(a), 'construct timestamp');
defineScalar('make_timestamptz', TS_ARGS, T.timestamptz, (a: number[], ctx) => localToUtc(makeTimestamp(a), zoneFor(ctx.format.timeZone)),
  'construct timestamp with time zone', { volatility: 'stable' });
defineScalar('make_timestamptz', [...TS_ARGS, T.text], T.timestamptz, (a: [number, number, number, number, number, number, string]) =>
  localToUtc(makeTimestamp(a.slice(0, 6) as number[]), zoneFor(a[6])), 'construct timestamp with time zone in the given zone');

const MAKE_INTERVAL_ARGS = [T.int4, T.int4, T.int4, T.int4, T.int4, T.int4, T.float8];
/** make_interval(years, months, weeks, days, hours, mins, secs) with any number of leading arguments given. */
function makeInterval(a: number[]): Interval {
  const [years = 0, months = 0, weeks = 0, days = 0, hours = 0, mins = 0, secs = 0] = a;
  const m = checkInt32(years * 12 + months, 'interval');
  const d = checkInt32(weeks * 7 + days, 'interval');
  const us = hours * 3.6e9 + mins * 6e7 + rint(secs * 1e6);
  if (!Number.isFinite(us) || Math.abs(us) >= 9.223372036854776e18) throw outOfRange('interval');
  return interval(m, d, BigInt(hours) * 3_600_000_000n + BigInt(mins) * 60_000_000n + BigInt(rint(secs * 1e6)));
}
for (let n = 0; n <= MAKE_INTERVAL_ARGS.length; n++) {
  defineScalar('make_interval', MAKE_INTERVAL_ARGS.slice(0, n), T.interval, (a: number[]) => makeInterval(a), 'construct interval');
}

defineScalar('to_timestamp', [T.float8], T.timestamptz, ([s]: [number]) => {
  if (Number.isNaN(s)) throw new SqlError(SqlState.DATETIME_VALUE_OUT_OF_RANGE, 'timestamp cannot be NaN');
  if (s === Infinity) return TIMESTAMP_POS_INFINITY;
  if (s === -Infinity) return TIMESTAMP_NEG_INFINITY;
  if (s < -210866803200 || s >= 9224318016000) throw new SqlError(SqlState.DATETIME_VALUE_OUT_OF_RANGE, `timestamp out of range: "${formatG(s)}"`);
  return BigInt(rint(s * 1e6));
}, 'convert UNIX epoch to timestamp with time zone');

/** C's %g (6 significant digits), as PostgreSQL prints a double in some messages. */
function formatG(v: number): string {
  const e = Math.floor(Math.log10(Math.abs(v)));
  if (e < -4 || e >= 6) {
    const [m, x] = v.toExponential(5).split('e') as [string, string];
    const exp = Number(x);
    return `${m.replace(/\.?0+$/, '')}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return String(Number(v.toPrecision(6)));
}

// ---- justify ---------------------------------------------------------------------------------

function justifyDays(iv: Interval): Interval {
  let months = iv.months + Math.trunc(iv.days / 30);
  let days = iv.days % 30;
  if (months > 0 && days < 0) { days += 30; months--; }
  else if (months < 0 && days > 0) { days -= 30; months++; }
  return interval(checkInt32(months, 'interval'), days || 0, iv.micros);
}

function justifyInterval(iv: Interval): Interval {
  let micros = iv.micros % USECS_PER_DAY;
  let days = iv.days + Number(iv.micros / USECS_PER_DAY);
  let months = iv.months + Math.trunc(days / 30);
  days %= 30;
  if (months > 0 && (days < 0 || (days === 0 && micros < 0n))) { days += 30; months--; }
  else if (months < 0 && (days > 0 || (days === 0 && micros > 0n))) { days -= 30; months++; }
  if (days > 0 && micros < 0n) { micros += USECS_PER_DAY; days--; }
  else if (days < 0 && micros > 0n) { micros -= USECS_PER_DAY; days++; }
  return interval(checkInt32(months, 'interval'), days || 0, micros);
}

defineScalar('justify_days', [T.interval], T.interval, ([iv]: [Interval]) => justifyDays(iv), 'promote groups of 30 days to months');
defineScalar('justify_hours', [T.interval], T.interval, ([iv]: [Interval]) => justifyHours(iv), 'promote groups of 24 hours to days');
defineScalar('justify_interval', [T.interval], T.interval, ([iv]: [Interval]) => justifyInterval(iv), 'promote groups of 24 hours to days and 30 days to months');

// ---- time zones ------------------------------------------------------------------------------

function zoneFor(name: string): TimeZone {
  const abbrev = abbrevOffset(name);
  if (abbrev !== undefined) return findTimeZone(String(abbrev / 3600))!;
  const z = findTimeZone(name);
  if (!z) throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `time zone "${name}" not recognized`);
  return z;
}
/** A zone name usable as a TimeZone setting (abbreviations become fixed offsets). */
function zoneName(name: string): string {
  zoneFor(name);
  const abbrev = abbrevOffset(name);
  return abbrev === undefined ? name : String(abbrev / 3600);
}

function intervalZone(iv: Interval): bigint {
  if (iv.months !== 0 || iv.days !== 0) {
    throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `interval time zone "${formatIntervalShort(iv)}" must not include months or days`);
  }
  return iv.micros;
}
const formatIntervalShort = (iv: Interval) => `${iv.months ? `${iv.months} mons ` : ''}${iv.days ? `${iv.days} days` : ''}`.trim();

defineScalar('timezone', [T.text, T.timestamp], T.timestamptz, ([z, ts]: [string, bigint]) =>
  (isInfiniteTimestamp(ts) ? ts : localToUtc(ts, zoneFor(z))), 'adjust timestamp to new time zone (timestamp AT TIME ZONE zone)');
defineScalar('timezone', [T.text, T.timestamptz], T.timestamp, ([z, ts]: [string, bigint]) =>
  (isInfiniteTimestamp(ts) ? ts : ts + BigInt(zoneFor(z).offsetAt(ts)) * 1_000_000n), 'adjust timestamp to new time zone (timestamptz AT TIME ZONE zone)');
defineScalar('timezone', [T.interval, T.timestamp], T.timestamptz, ([z, ts]: [Interval, bigint]) =>
  (isInfiniteTimestamp(ts) ? ts : ts - intervalZone(z)), 'adjust timestamp to a fixed offset');
defineScalar('timezone', [T.interval, T.timestamptz], T.timestamp, ([z, ts]: [Interval, bigint]) =>
  (isInfiniteTimestamp(ts) ? ts : ts + intervalZone(z)), 'adjust timestamp with time zone to a fixed offset');

// ---- isfinite --------------------------------------------------------------------------------

defineScalar('isfinite', [T.date], T.bool, ([d]: [number]) => !isInfiniteDate(d), 'finite date?');
defineScalar('isfinite', [T.timestamp], T.bool, ([t]: [bigint]) => !isInfiniteTimestamp(t), 'finite timestamp?');
defineScalar('isfinite', [T.timestamptz], T.bool, ([t]: [bigint]) => !isInfiniteTimestamp(t), 'finite timestamp?');
defineScalar('isfinite', [T.interval], T.bool, () => true, 'finite interval?');

