/**
 * date, time, timestamp and timestamptz as PostgreSQL 15 reads, prints and computes them.
 * Datums (see pg-type.ts): date = days since 1970-01-01 (±infinity ±2147483647), time = µs
 * since midnight, timestamp[tz] = µs since 1970-01-01 (UTC for timestamptz; ±infinity int64
 * max/min). Calendar is proleptic Gregorian with astronomical years internally (1 BC = 0).
 *
 * Limitation: PostgreSQL's timestamps reach 294276 AD, but µs since 1970 in an int64 stop in
 * 294247 AD; later timestamps are reported out of range.
 */
import { SqlError, SqlState } from '../errors/index.js';
import { type Interval, interval, justifyHours } from './interval.js';
import { Numeric } from './numeric.js';
import { type TimeZone, abbrevOffset, findTimeZone, localToUtc, sessionTimeZone } from './timezone.js';

export const DATE_POS_INFINITY = 2147483647;
export const DATE_NEG_INFINITY = -2147483647;
export const TIMESTAMP_POS_INFINITY = 0x7fffffffffffffffn;
export const TIMESTAMP_NEG_INFINITY = -0x8000000000000000n;

export const USECS_PER_DAY = 86_400_000_000n;
const USECS_PER_HOUR = 3_600_000_000n;
const USECS_PER_MINUTE = 60_000_000n;
const USECS_PER_SEC = 1_000_000n;
/** 4714-11-24 BC (Julian day 0), the first valid date, in days since 1970. */
const MIN_DATE = -2440588;
/** 5874898-01-01, the first date after the valid range. */
const END_DATE = 2147483494 - 2440588;
const MIN_TIMESTAMP = BigInt(MIN_DATE) * USECS_PER_DAY;
const END_TIMESTAMP = TIMESTAMP_POS_INFINITY; // exclusive; see the limitation above

/** The settings date/time code reads (a subset of FormatSettings). */
export interface DateTimeSettings {
  readonly dateStyle: string;
  readonly timeZone: string;
}

// ---- calendar --------------------------------------------------------------------------------

const floorDiv = (a: number, b: number): number => Math.floor(a / b);

/** Days since 1970-01-01 of a proleptic Gregorian date (astronomical year). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = floorDiv(y, 400);
  const yoe = y - era * 400;
  const doy = floorDiv(153 * ((month + 9) % 12) + 2, 5) + day - 1;
  return era * 146097 + yoe * 365 + floorDiv(yoe, 4) - floorDiv(yoe, 100) + doy - 719468;
}

/** [year (astronomical), month 1-12, day] of days since 1970-01-01. */
export function civilFromDays(days: number): [number, number, number] {
  const z = days + 719468;
  const era = floorDiv(z, 146097);
  const doe = z - era * 146097;
  const yoe = floorDiv(doe - floorDiv(doe, 1460) + floorDiv(doe, 36524) - floorDiv(doe, 146096), 365);
  const doy = doe - (365 * yoe + floorDiv(yoe, 4) - floorDiv(yoe, 100));
  const mp = floorDiv(5 * doy + 2, 153);
  const day = doy - floorDiv(153 * mp + 2, 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (month <= 2 ? 1 : 0), month, day];
}

const isLeap = (y: number): boolean => y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
export const daysInMonth = (y: number, m: number): number => (m === 2 ? (isLeap(y) ? 29 : 28) : [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!);

const bigFloorDiv = (a: bigint, b: bigint): bigint => {
  const q = a / b;
  return a % b !== 0n && (a < 0n) !== (b < 0n) ? q - 1n : q;
};

/** Split µs since 1970 into whole days and µs within the day. */
function splitTimestamp(ts: bigint): [number, bigint] {
  const days = bigFloorDiv(ts, USECS_PER_DAY);
  return [Number(days), ts - days * USECS_PER_DAY];
}

export const isInfiniteDate = (d: number): boolean => d === DATE_POS_INFINITY || d === DATE_NEG_INFINITY;
export const isInfiniteTimestamp = (t: bigint): boolean => t === TIMESTAMP_POS_INFINITY || t === TIMESTAMP_NEG_INFINITY;

// ---- DateStyle -------------------------------------------------------------------------------

export type DateOutputStyle = 'ISO' | 'SQL' | 'Postgres' | 'German';
export type DateOrder = 'MDY' | 'DMY' | 'YMD';

/** Parses a DateStyle value such as "ISO, MDY" or "SQL, DMY" or "German". */
export function parseDateStyle(dateStyle: string): { style: DateOutputStyle; order: DateOrder } {
  let parsed = parsedDateStyles.get(dateStyle);
  if (!parsed) {
    parsed = parseDateStyleText(dateStyle);
    if (parsedDateStyles.size > 64) parsedDateStyles.clear();
    parsedDateStyles.set(dateStyle, parsed);
  }
  return parsed;
}

/** DateStyle settings already read (a session has one; each value formatted asks again). */
const parsedDateStyles = new Map<string, { style: DateOutputStyle; order: DateOrder }>();

function parseDateStyleText(dateStyle: string): { style: DateOutputStyle; order: DateOrder } {
  let style: DateOutputStyle = 'ISO';
  let order: DateOrder | undefined;
  for (const part of dateStyle.split(/[\s,]+/).map((p) => p.toUpperCase())) {
    if (part === 'ISO') style = 'ISO';
    else if (part === 'SQL') style = 'SQL';
    else if (part === 'POSTGRES') style = 'Postgres';
    else if (part === 'GERMAN') {
      style = 'German';
      order ??= 'DMY';
    } else if (part === 'MDY' || part === 'US' || part === 'NONEUROPEAN') order = 'MDY';
    else if (part === 'DMY' || part === 'EUROPEAN') order = 'DMY';
    else if (part === 'YMD') order = 'YMD';
  }
  return { style, order: order ?? 'MDY' };
}

// ---- output ----------------------------------------------------------------------------------

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** Year as printed (BC years count from 1) and whether " BC" follows. */
const displayYear = (y: number): [string, boolean] => (y > 0 ? [pad(y, 4), false] : [pad(1 - y, 4), true]);

function formatYmd(days: number, style: DateOutputStyle, order: DateOrder): string {
  const [y, m, d] = civilFromDays(days);
  const [year] = displayYear(y);
  switch (style) {
    case 'ISO': return `${year}-${pad(m)}-${pad(d)}`;
    case 'SQL': return order === 'DMY' ? `${pad(d)}/${pad(m)}/${year}` : `${pad(m)}/${pad(d)}/${year}`;
    case 'German': return `${pad(d)}.${pad(m)}.${year}`;
    case 'Postgres': return order === 'DMY' ? `${pad(d)}-${pad(m)}-${year}` : `${pad(m)}-${pad(d)}-${year}`;
  }
}

/** date_out. */
export function formatDate(days: number, dateStyle = 'ISO, MDY'): string {
  if (days === DATE_POS_INFINITY) return 'infinity';
  if (days === DATE_NEG_INFINITY) return '-infinity';
  if (dateStyle !== formattedDates.dateStyle) {
    formattedDates.dateStyle = dateStyle;
    formattedDates.text.clear();
  }
  let text = formattedDates.text.get(days);
  if (text === undefined) {
    const { style, order } = parseDateStyle(dateStyle);
    text = formatYmd(days, style, order) + (civilFromDays(days)[0] <= 0 ? ' BC' : '');
    if (formattedDates.text.size >= FORMATTED_DATES) formattedDates.text.clear();
    formattedDates.text.set(days, text);
  }
  return text;
}

/** Dates recently formatted in one DateStyle: result columns repeat the same few thousand days. */
const FORMATTED_DATES = 1 << 16;
const formattedDates = { dateStyle: '', text: new Map<number, string>() };

/** HH:MM:SS[.ffffff] with trailing fraction zeros trimmed. */
function formatClock(us: bigint): string {
  const h = Number(us / USECS_PER_HOUR);
  const m = Number((us % USECS_PER_HOUR) / USECS_PER_MINUTE);
  const s = Number((us % USECS_PER_MINUTE) / USECS_PER_SEC);
  const f = Number(us % USECS_PER_SEC);
  return `${pad(h)}:${pad(m)}:${pad(s)}` + (f ? '.' + pad(f, 6).replace(/0+$/, '') : '');
}

/** time_out. */
export const formatTime = (us: bigint): string => formatClock(us);

/** EncodeTimezone: +HH, +HH:MM or +HH:MM:SS (offset in seconds east). */
export function formatOffset(offsetSec: number): string {
  const a = Math.abs(offsetSec);
  const h = Math.floor(a / 3600);
  const m = Math.floor((a % 3600) / 60);
  const s = a % 60;
  const sign = offsetSec < 0 ? '-' : '+';
  if (s) return `${sign}${pad(h)}:${pad(m)}:${pad(s)}`;
  if (m) return `${sign}${pad(h)}:${pad(m)}`;
  return `${sign}${pad(h)}`;
}

/** EncodeDateTime for local fields; `zone` gives the offset and abbreviation for timestamptz. */
function formatLocal(local: bigint, dateStyle: string, zone?: { offset: number; abbrev: string }): string {
  const { style, order } = parseDateStyle(dateStyle);
  const [days, us] = splitTimestamp(local);
  const [y, m, d] = civilFromDays(days);
  const bc = y <= 0 ? ' BC' : '';
  const clock = formatClock(us);
  if (style === 'ISO') return `${formatYmd(days, style, order)} ${clock}${zone ? formatOffset(zone.offset) : ''}${bc}`;
  const tz = zone ? ' ' + zone.abbrev : '';
  if (style === 'Postgres') {
    const dow = DAYS[((days % 7) + 11) % 7]!;
    const [year] = displayYear(y);
    const md = order === 'DMY' ? `${pad(d)} ${MONTHS[m - 1]}` : `${MONTHS[m - 1]} ${pad(d)}`;
    return `${dow} ${md} ${clock} ${year}${tz}${bc}`;
  }
  return `${formatYmd(days, style, order)} ${clock}${tz}${bc}`;
}

/** timestamp_out. */
export function formatTimestamp(ts: bigint, dateStyle = 'ISO, MDY'): string {
  if (ts === TIMESTAMP_POS_INFINITY) return 'infinity';
  if (ts === TIMESTAMP_NEG_INFINITY) return '-infinity';
  return formatLocal(ts, dateStyle);
}

/** timestamptz_out in the session TimeZone. */
export function formatTimestamptz(ts: bigint, settings: DateTimeSettings): string {
  if (ts === TIMESTAMP_POS_INFINITY) return 'infinity';
  if (ts === TIMESTAMP_NEG_INFINITY) return '-infinity';
  const zone = sessionTimeZone(settings.timeZone);
  const offset = zone.offsetAt(ts);
  const abbrev = parseDateStyle(settings.dateStyle).style === 'ISO' ? '' : zone.abbrevAt(ts);
  return formatLocal(ts + BigInt(offset) * USECS_PER_SEC, settings.dateStyle, { offset, abbrev });
}

// ---- input -----------------------------------------------------------------------------------

type Special = 'epoch' | 'infinity' | '-infinity' | 'now' | 'today' | 'tomorrow' | 'yesterday' | 'allballs';

interface Parsed {
  special?: Special;
  year?: number;
  month?: number;
  day?: number;
  twoDigitYear: boolean;
  bc: boolean;
  julian?: number;
  timeUs?: bigint;
  hour12?: 'am' | 'pm';
  /** Explicit zone: fixed offset (seconds east) or a named zone. */
  tz?: number | TimeZone;
}

const MONTH_WORDS: Record<string, number> = {};
['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'].forEach(
  (name, i) => {
    MONTH_WORDS[name] = i + 1;
    MONTH_WORDS[name.slice(0, 3)] = i + 1;
  },
);
MONTH_WORDS.sept = 9;
const DAY_WORDS = new Set(['sun', 'mon', 'tue', 'tues', 'wed', 'wednes', 'thu', 'thur', 'thurs', 'fri', 'sat', 'sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday']);
const SPECIALS = new Set<string>(['epoch', 'infinity', '-infinity', 'now', 'today', 'tomorrow', 'yesterday', 'allballs']);

const TIME_TOKEN = /^(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d*))?)?(.*)$/;
const DATE_TOKEN = /^([a-z0-9]+)([-/.])([a-z0-9]+)\2([a-z0-9]+)$/;
const OFFSET_TOKEN = /^([+-])(\d{1,2})(?::?(\d{2}))?(?::?(\d{2}))?$/;

class DateTimeInputError {
  constructor(readonly kind: 'syntax' | 'range' | 'hint' | 'zone', readonly zone?: string) {}
}

const fail = (kind: DateTimeInputError['kind'], zone?: string): never => {
  throw new DateTimeInputError(kind, zone);
};

/** Tokenises and decodes date/time text into fields (ParseDateTime + DecodeDateTime, simplified). */
function decode(text: string, order: DateOrder): Parsed {
  const p: Parsed = { twoDigitYear: false, bc: false };
  const s = text.trim().toLowerCase().replace(/,/g, ' ').replace(/(\d)t(\d)/g, '$1 $2');
  const tokens = s.split(/\s+/).filter(Boolean);
  if (tokens.length === 0) fail('syntax');
  const numbers: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    let m: RegExpExecArray | null;
    if (SPECIALS.has(t)) {
      if (p.special) fail('syntax');
      p.special = t as Special;
    } else if ((m = TIME_TOKEN.exec(t))) {
      if (p.timeUs !== undefined) fail('syntax');
      p.timeUs = clockMicros(m[1]!, m[2]!, m[3], m[4]);
      if (m[5]) decodeZone(m[5], p);
    } else if ((m = DATE_TOKEN.exec(t))) {
      if (p.month !== undefined) fail('syntax');
      decodeDateToken([m[1]!, m[3]!, m[4]!], order, p);
    } else if (OFFSET_TOKEN.test(t) && (p.timeUs !== undefined || p.month !== undefined)) {
      decodeZone(t, p);
    } else if (/^\d+$/.test(t)) {
      if (t.length === 8 && p.month === undefined && numbers.length === 0) setYmd(p, t.slice(0, 4), Number(t.slice(4, 6)), t.slice(6));
      else numbers.push(t);
    } else if (/^j\d+$/.test(t)) p.julian = Number(t.slice(1));
    else if (t === 'bc') p.bc = true;
    else if (t === 'ad' || t === 'at' || DAY_WORDS.has(t)) continue;
    else if (t === 'am' || t === 'pm') p.hour12 = t;
    else if (MONTH_WORDS[t] !== undefined) {
      if (p.month !== undefined) fail('syntax');
      p.month = MONTH_WORDS[t];
    } else if (t === 'z') p.tz = 0;
    else decodeZone(t, p);
  }
  assignNumbers(numbers, p);
  return p;
}

function clockMicros(h: string, m: string, s?: string, frac?: string): bigint {
  const hour = Number(h);
  const min = Number(m);
  const sec = Number(s ?? 0);
  const us = frac ? Math.round(Number('0.' + frac) * 1e6) : 0;
  if (hour > 24 || min > 59 || sec > 60 || (hour === 24 && (min || sec || us))) fail('range');
  return BigInt(hour) * USECS_PER_HOUR + BigInt(min) * USECS_PER_MINUTE + BigInt(sec) * USECS_PER_SEC + BigInt(us);
}

function decodeZone(t: string, p: Parsed): void {
  if (p.tz !== undefined) fail('syntax');
  const m = OFFSET_TOKEN.exec(t);
  if (m) {
    const secs = Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0);
    p.tz = m[1] === '-' ? -secs : secs;
    return;
  }
  if (t === 'z') {
    p.tz = 0;
    return;
  }
  const abbrev = abbrevOffset(t);
  if (abbrev !== undefined) {
    p.tz = abbrev;
    return;
  }
  if (!/^[a-z]/.test(t)) fail('syntax');
  const zone = /[/_]/.test(t) || t.length > 3 ? findTimeZone(t) : undefined;
  if (!zone) fail(/\//.test(t) ? 'zone' : 'syntax', t);
  p.tz = zone;
}

function setYmd(p: Parsed, year: string, month: number, day: string): void {
  p.year = Number(year);
  p.twoDigitYear = year.length <= 2;
  p.month = month;
  p.day = Number(day);
}

/** a-b-c, a/b/c or a.b.c, with a month name allowed in any position. */
function decodeDateToken(parts: [string, string, string], order: DateOrder, p: Parsed): void {
  const nameAt = parts.findIndex((x) => /^[a-z]+$/.test(x));
  if (nameAt >= 0) {
    const month = MONTH_WORDS[parts[nameAt]!];
    if (month === undefined) fail('syntax');
    const rest = parts.filter((_, i) => i !== nameAt);
    if (rest.some((x) => !/^\d+$/.test(x))) fail('syntax');
    const yearFirst = nameAt === 1 && (rest[0]!.length > 2 || order === 'YMD');
    if (yearFirst) setYmd(p, rest[0]!, month!, rest[1]!);
    else setYmd(p, rest[1]!, month!, rest[0]!);
    return;
  }
  if (parts.some((x) => !/^\d+$/.test(x))) fail('syntax');
  const [a, b, c] = parts;
  if (a.length > 2 || order === 'YMD') setYmd(p, a, Number(b), c);
  else if (order === 'DMY') setYmd(p, c, Number(b), a);
  else setYmd(p, c, Number(a), b);
}

/** Loose numbers around a month name: 'Jan 5 2024', '5 January 2024'. */
function assignNumbers(numbers: string[], p: Parsed): void {
  if (numbers.length === 0) return;
  if (p.month === undefined || p.day !== undefined) fail('syntax');
  if (numbers.length === 1) {
    if (numbers[0]!.length > 2) fail('syntax');
    p.day = Number(numbers[0]);
    return;
  }
  if (numbers.length !== 2) fail('syntax');
  const [x, y] = numbers as [string, string];
  const yearFirst = x.length > 2 || Number(x) > 31;
  setYmd(p, yearFirst ? x : y, p.month!, yearFirst ? y : x);
}

/** Days since 1970 of the parsed date, validating fields; undefined when no date was given. */
function parsedDays(p: Parsed): number | undefined {
  if (p.julian !== undefined) return p.julian - 2440588;
  if (p.month === undefined && p.year === undefined) return undefined;
  if (p.year === undefined || p.day === undefined || p.month === undefined) fail('syntax');
  let year = p.year!;
  if (p.bc) {
    if (year <= 0) fail('range');
    year = 1 - year;
  } else if (p.twoDigitYear) year += year < 70 ? 2000 : 1900;
  else if (year === 0) fail('range');
  if (p.month! < 1 || p.month! > 12) fail('hint');
  if (p.day! < 1 || p.day! > daysInMonth(year, p.month!)) fail('range');
  return daysFromCivil(year, p.month!, p.day!);
}

function parsedTime(p: Parsed): bigint {
  let us = p.timeUs ?? 0n;
  if (p.hour12) {
    const hour = us / USECS_PER_HOUR;
    if (hour > 12n || p.timeUs === undefined) fail('range');
    if (p.hour12 === 'am' && hour === 12n) us -= 12n * USECS_PER_HOUR;
    if (p.hour12 === 'pm' && hour !== 12n) us += 12n * USECS_PER_HOUR;
  }
  return us;
}

/** Runs a decoder, turning field errors into PostgreSQL's messages for `typeName`. */
function withErrors<T>(text: string, typeName: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (!(e instanceof DateTimeInputError)) throw e;
    switch (e.kind) {
      case 'syntax': throw new SqlError(SqlState.INVALID_DATETIME_FORMAT, `invalid input syntax for type ${typeName}: "${text}"`);
      case 'zone': throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `time zone "${e.zone}" not recognized`);
      case 'range':
      case 'hint':
        throw new SqlError(SqlState.DATETIME_FIELD_OVERFLOW, `date/time field value out of range: "${text}"`, {
          hint: e.kind === 'hint' ? 'Perhaps you need a different "datestyle" setting.' : undefined,
        });
    }
  }
}

const nowMicros = (): bigint => BigInt(Date.now()) * 1000n;

/** Midnight-relative day for today/tomorrow/yesterday in a zone. */
function relativeDay(special: Special, now: bigint, zone: TimeZone): number {
  const local = now + BigInt(zone.offsetAt(now)) * USECS_PER_SEC;
  const today = splitTimestamp(local)[0];
  return today + (special === 'tomorrow' ? 1 : special === 'yesterday' ? -1 : 0);
}

/** Local µs (wall clock) and the explicit zone of a timestamp literal; specials handled by callers. */
function decodeLocal(p: Parsed): bigint {
  const days = parsedDays(p);
  if (days === undefined) fail('syntax');
  return BigInt(days!) * USECS_PER_DAY + parsedTime(p);
}

/** date_in. `now` (µs since 1970, UTC) answers 'now'/'today'/…; defaults to the clock. */
export function parseDate(text: string, settings: DateTimeSettings, now?: bigint): number {
  const days = withErrors(text, 'date', () => {
    const p = decode(text, parseDateStyle(settings.dateStyle).order);
    switch (p.special) {
      case 'infinity': return DATE_POS_INFINITY;
      case '-infinity': return DATE_NEG_INFINITY;
      case 'epoch': return 0;
      case 'now': case 'today': case 'tomorrow': case 'yesterday':
        return relativeDay(p.special, now ?? nowMicros(), sessionTimeZone(settings.timeZone));
      case 'allballs': return fail('syntax');
    }
    const d = parsedDays(p);
    if (d === undefined) fail('syntax');
    parsedTime(p);
    return d!;
  });
  if (!isInfiniteDate(days) && (days < MIN_DATE || days >= END_DATE)) {
    throw new SqlError(SqlState.DATETIME_VALUE_OUT_OF_RANGE, `date out of range: "${text}"`);
  }
  return days;
}

function parseTimestampLike(text: string, settings: DateTimeSettings, withZone: boolean, now?: bigint): bigint {
  const typeName = withZone ? 'timestamp with time zone' : 'timestamp';
  const ts = withErrors(text, typeName, () => {
    const p = decode(text, parseDateStyle(settings.dateStyle).order);
    const session = (): TimeZone => sessionTimeZone(settings.timeZone);
    const fromLocal = (local: bigint): bigint => {
      if (!withZone) return local;
      if (typeof p.tz === 'number') return local - BigInt(p.tz) * USECS_PER_SEC;
      return localToUtc(local, p.tz ?? session());
    };
    switch (p.special) {
      case 'infinity': return TIMESTAMP_POS_INFINITY;
      case '-infinity': return TIMESTAMP_NEG_INFINITY;
      case 'epoch': return 0n;
      case 'now': {
        const n = now ?? nowMicros();
        return withZone ? n : n + BigInt(session().offsetAt(n)) * USECS_PER_SEC;
      }
      case 'today': case 'tomorrow': case 'yesterday':
        return fromLocal(BigInt(relativeDay(p.special, now ?? nowMicros(), session())) * USECS_PER_DAY);
      case 'allballs': return fail('syntax');
    }
    return fromLocal(decodeLocal(p));
  });
  if (!isInfiniteTimestamp(ts) && (ts < MIN_TIMESTAMP || ts >= END_TIMESTAMP)) {
    throw new SqlError(SqlState.DATETIME_VALUE_OUT_OF_RANGE, `timestamp out of range: "${text}"`);
  }
  return ts;
}

/** timestamp_in (a zone in the text is ignored, as PostgreSQL does). */
export const parseTimestamp = (text: string, settings: DateTimeSettings, now?: bigint): bigint =>
  parseTimestampLike(text, settings, false, now);

/** timestamptz_in: text without a zone is local time in the session TimeZone. */
export const parseTimestamptz = (text: string, settings: DateTimeSettings, now?: bigint): bigint =>
  parseTimestampLike(text, settings, true, now);

/** time_in: a date part and zone are accepted and ignored. */
export function parseTime(text: string, settings: DateTimeSettings = { dateStyle: 'ISO, MDY', timeZone: 'UTC' }, now?: bigint): bigint {
  return withErrors(text, 'time without time zone', () => {
    const p = decode(text, parseDateStyle(settings.dateStyle).order);
    if (p.special === 'allballs') return 0n;
    if (p.special === 'now') {
      const n = now ?? nowMicros();
      return splitTimestamp(n + BigInt(sessionTimeZone(settings.timeZone).offsetAt(n)) * USECS_PER_SEC)[1];
    }
    if (p.special || p.timeUs === undefined) fail('syntax');
    parsedDays(p);
    return parsedTime(p);
  });
}

// ---- conversions -----------------------------------------------------------------------------

const timestampOutOfRange = () => new SqlError(SqlState.DATETIME_VALUE_OUT_OF_RANGE, 'timestamp out of range');
const dateOutOfRange = () => new SqlError(SqlState.DATETIME_VALUE_OUT_OF_RANGE, 'date out of range');

function checkTimestamp(ts: bigint): bigint {
  if (ts < MIN_TIMESTAMP || ts >= END_TIMESTAMP) throw timestampOutOfRange();
  return ts;
}

function checkDate(d: number): number {
  if (!Number.isFinite(d) || d < MIN_DATE || d >= END_DATE) throw dateOutOfRange();
  return d;
}

/** date → timestamp (midnight). */
export function dateToTimestamp(d: number): bigint {
  if (d === DATE_POS_INFINITY) return TIMESTAMP_POS_INFINITY;
  if (d === DATE_NEG_INFINITY) return TIMESTAMP_NEG_INFINITY;
  const ts = BigInt(d) * USECS_PER_DAY;
  if (ts < MIN_TIMESTAMP || ts >= END_TIMESTAMP) {
    throw new SqlError(SqlState.DATETIME_VALUE_OUT_OF_RANGE, 'date out of range for timestamp');
  }
  return ts;
}

/** date → timestamptz: midnight local time in the session zone. */
export function dateToTimestamptz(d: number, timeZone: string): bigint {
  const local = dateToTimestamp(d);
  return isInfiniteTimestamp(local) ? local : localToUtc(local, sessionTimeZone(timeZone));
}

/** timestamp → date. */
export function timestampToDate(ts: bigint): number {
  if (ts === TIMESTAMP_POS_INFINITY) return DATE_POS_INFINITY;
  if (ts === TIMESTAMP_NEG_INFINITY) return DATE_NEG_INFINITY;
  return splitTimestamp(ts)[0];
}

/** timestamptz → timestamp: wall-clock time in the session zone. */
export function timestamptzToTimestamp(ts: bigint, timeZone: string): bigint {
  if (isInfiniteTimestamp(ts)) return ts;
  return ts + BigInt(sessionTimeZone(timeZone).offsetAt(ts)) * USECS_PER_SEC;
}

/** timestamp → timestamptz: the wall-clock time read in the session zone. */
export function timestampToTimestamptz(ts: bigint, timeZone: string): bigint {
  if (isInfiniteTimestamp(ts)) return ts;
  return checkTimestamp(localToUtc(ts, sessionTimeZone(timeZone)));
}

export const timestamptzToDate = (ts: bigint, timeZone: string): number => timestampToDate(timestamptzToTimestamp(ts, timeZone));

/** timestamp → time of day. */
export function timestampToTime(ts: bigint): bigint {
  if (isInfiniteTimestamp(ts)) throw new SqlError(SqlState.DATETIME_VALUE_OUT_OF_RANGE, 'timestamp out of range');
  return splitTimestamp(ts)[1];
}

// ---- arithmetic ------------------------------------------------------------------------------

/** date + integer days. */
export function addDays(d: number, n: number): number {
  if (isInfiniteDate(d)) return d;
  return checkDate(d + n);
}

/** date - date → days. */
export function dateDiff(a: number, b: number): number {
  if (isInfiniteDate(a) || isInfiniteDate(b)) throw new SqlError(SqlState.DATETIME_VALUE_OUT_OF_RANGE, 'cannot subtract infinite dates');
  return a - b;
}

/** Local wall-clock µs plus months (day clamped to the month's end) then days. */
function addMonthsDays(local: bigint, months: number, days: number): bigint {
  let [d, us] = splitTimestamp(local);
  if (months) {
    const [y, m, day] = civilFromDays(d);
    const total = y * 12 + (m - 1) + months;
    const ny = Math.floor(total / 12);
    const nm = total - ny * 12 + 1;
    d = daysFromCivil(ny, nm, Math.min(day, daysInMonth(ny, nm)));
  }
  return BigInt(d + days) * USECS_PER_DAY + us;
}

/** timestamp + interval (timestamp_pl_interval). */
export function addIntervalToTimestamp(ts: bigint, iv: Interval): bigint {
  if (isInfiniteTimestamp(ts)) return ts;
  return checkTimestamp(addMonthsDays(ts, iv.months, iv.days) + iv.micros);
}

/** timestamptz + interval: months and days move the wall clock in the session zone. */
export function addIntervalToTimestamptz(ts: bigint, iv: Interval, timeZone: string): bigint {
  if (isInfiniteTimestamp(ts)) return ts;
  let t = ts;
  if (iv.months || iv.days) {
    const zone = sessionTimeZone(timeZone);
    const local = t + BigInt(zone.offsetAt(t)) * USECS_PER_SEC;
    t = localToUtc(addMonthsDays(local, iv.months, iv.days), zone);
  }
  return checkTimestamp(t + iv.micros);
}

const negate = (iv: Interval): Interval => interval(-iv.months || 0, -iv.days || 0, -iv.micros);
export const subIntervalFromTimestamp = (ts: bigint, iv: Interval): bigint => addIntervalToTimestamp(ts, negate(iv));
export const subIntervalFromTimestamptz = (ts: bigint, iv: Interval, timeZone: string): bigint =>
  addIntervalToTimestamptz(ts, negate(iv), timeZone);

/** timestamp - timestamp (also timestamptz): µs difference with whole days split out. */
export function subtractTimestamps(a: bigint, b: bigint): Interval {
  if (isInfiniteTimestamp(a) || isInfiniteTimestamp(b)) {
    throw new SqlError(SqlState.DATETIME_VALUE_OUT_OF_RANGE, 'cannot subtract infinite timestamps');
  }
  return justifyHours(interval(0, 0, a - b));
}

/** time + interval wraps around midnight (only the time part counts). */
export function addIntervalToTime(t: bigint, iv: Interval): bigint {
  const r = (t + iv.micros) % USECS_PER_DAY;
  return r < 0n ? r + USECS_PER_DAY : r;
}

// ---- fields, extract, date_trunc -------------------------------------------------------------

export interface DateTimeFields {
  /** Astronomical year (1 BC = 0). */
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  microsecond: number;
  /** 0 = Sunday. */
  dow: number;
  doy: number;
}

/** Calendar fields of local µs since 1970. */
export function timestampFields(local: bigint): DateTimeFields {
  const [days, us] = splitTimestamp(local);
  const [year, month, day] = civilFromDays(days);
  return {
    year,
    month,
    day,
    hour: Number(us / USECS_PER_HOUR),
    minute: Number((us % USECS_PER_HOUR) / USECS_PER_MINUTE),
    second: Number((us % USECS_PER_MINUTE) / USECS_PER_SEC),
    microsecond: Number(us % USECS_PER_SEC),
    dow: ((days % 7) + 11) % 7,
    doy: days - daysFromCivil(year, 1, 1) + 1,
  };
}

/** ISO 8601 week-numbering year and week of a day. */
function isoWeek(days: number): [number, number] {
  const isodow = ((((days % 7) + 11) % 7) + 6) % 7; // Monday = 0
  const thursday = days - isodow + 3;
  const [y] = civilFromDays(thursday);
  return [y, Math.floor((thursday - daysFromCivil(y, 1, 1)) / 7) + 1];
}

export type DateTimeKind = 'date' | 'time' | 'timestamp' | 'timestamptz';
const KIND_NAMES: Record<DateTimeKind | 'interval', string> = {
  date: 'date',
  time: 'time without time zone',
  timestamp: 'timestamp without time zone',
  timestamptz: 'timestamp with time zone',
  interval: 'interval',
};

const UNIT_ALIASES: Record<string, string> = {
  microsecond: 'microseconds', us: 'microseconds', usec: 'microseconds', usecs: 'microseconds', useconds: 'microseconds',
  millisecond: 'milliseconds', ms: 'milliseconds', msec: 'milliseconds', msecs: 'milliseconds', mseconds: 'milliseconds',
  seconds: 'second', sec: 'second', secs: 'second', s: 'second',
  minutes: 'minute', min: 'minute', mins: 'minute', m: 'minute',
  hours: 'hour', hr: 'hour', hrs: 'hour', h: 'hour',
  days: 'day', d: 'day', weeks: 'week', w: 'week', months: 'month', mon: 'month', mons: 'month',
  quarters: 'quarter', qtr: 'quarter', years: 'year', y: 'year', yr: 'year', yrs: 'year',
  decades: 'decade', dec: 'decade', centuries: 'century', c: 'century', cent: 'century',
  millennia: 'millennium', mil: 'millennium', mils: 'millennium', millenniums: 'millennium', j: 'julian',
};
const KNOWN_UNITS = new Set([
  'microseconds', 'milliseconds', 'second', 'minute', 'hour', 'day', 'week', 'month', 'quarter', 'year', 'decade',
  'century', 'millennium', 'dow', 'isodow', 'doy', 'epoch', 'isoyear', 'julian', 'timezone', 'timezone_hour', 'timezone_minute',
]);

function normaliseUnit(unit: string, kind: DateTimeKind | 'interval'): string {
  const u = unit.toLowerCase();
  const canonical = UNIT_ALIASES[u] ?? u;
  if (!KNOWN_UNITS.has(canonical)) {
    throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `unit "${u}" not recognized for type ${KIND_NAMES[kind]}`);
  }
  return canonical;
}

const notSupported = (unit: string, kind: DateTimeKind | 'interval') =>
  new SqlError(SqlState.FEATURE_NOT_SUPPORTED, `unit "${unit.toLowerCase()}" not supported for type ${KIND_NAMES[kind]}`);

const dec = (micros: bigint, scale: number): Numeric => Numeric.fromBigInt(micros, 6).round(scale);
const int = (v: number | bigint): Numeric => Numeric.fromInt(v);

/** Calendar-based extract fields shared by date and timestamps (astronomical year y). */
function calendarField(unit: string, f: DateTimeFields, days: number): Numeric | undefined {
  const y = f.year;
  switch (unit) {
    case 'day': return int(f.day);
    case 'month': return int(f.month);
    case 'quarter': return int(Math.floor((f.month - 1) / 3) + 1);
    case 'week': return int(isoWeek(days)[1]);
    case 'year': return int(y > 0 ? y : y - 1);
    case 'decade': return int(y >= 0 ? Math.trunc(y / 10) : -Math.trunc((8 - (y - 1)) / 10));
    case 'century': return int(y > 0 ? Math.trunc((y + 99) / 100) : -Math.trunc((99 - (y - 1)) / 100));
    case 'millennium': return int(y > 0 ? Math.trunc((y + 999) / 1000) : -Math.trunc((999 - (y - 1)) / 1000));
    case 'dow': return int(f.dow);
    case 'isodow': return int(f.dow === 0 ? 7 : f.dow);
    case 'doy': return int(f.doy);
    case 'isoyear': {
      const iy = isoWeek(days)[0];
      return int(iy > 0 ? iy : iy - 1);
    }
  }
  return undefined;
}

/** Units whose value grows with the timestamp: extract gives ±Infinity for infinite inputs. */
const MONOTONIC = new Set(['year', 'decade', 'century', 'millennium', 'isoyear', 'julian', 'epoch']);

/**
 * extract(unit FROM value) as PostgreSQL 15 returns it (numeric); null where PG returns NULL
 * (non-monotonic units of infinite values). `value` is the datum of `kind`.
 */
export function extract(unit: string, value: number | bigint | Interval, kind: DateTimeKind | 'interval', timeZone = 'UTC'): Numeric | null {
  const u = normaliseUnit(unit, kind);
  if (kind === 'interval') return extractInterval(u, value as Interval);
  if (kind === 'time') return extractTime(u, value as bigint);
  if (kind === 'date') {
    const d = value as number;
    if (isInfiniteDate(d)) return infiniteField(u, d > 0, kind, unit);
    if (u === 'epoch') return int(BigInt(d) * 86400n);
    if (u === 'julian') return int(d + 2440588);
    const r = calendarField(u, timestampFields(BigInt(d) * USECS_PER_DAY), d);
    if (!r) throw notSupported(unit, kind);
    return r;
  }
  const ts = value as bigint;
  if (isInfiniteTimestamp(ts)) return infiniteField(u, ts > 0n, kind, unit);
  let offset = 0;
  if (kind === 'timestamptz') offset = sessionTimeZone(timeZone).offsetAt(ts);
  const local = ts + BigInt(offset) * USECS_PER_SEC;
  const [days, us] = splitTimestamp(local);
  switch (u) {
    case 'epoch': return dec(ts, 6);
    case 'julian': return Numeric.fromBigInt(BigInt(days + 2440588) * 86_400_000_000n + us, 6).div(int(86_400_000_000n));
    case 'timezone': case 'timezone_hour': case 'timezone_minute':
      if (kind !== 'timestamptz') throw notSupported(unit, kind);
      return int(u === 'timezone' ? offset : u === 'timezone_hour' ? Math.trunc(offset / 3600) : Math.trunc((offset % 3600) / 60));
  }
  const r = clockField(u, us) ?? calendarField(u, timestampFields(local), days);
  if (!r) throw notSupported(unit, kind);
  return r;
}

function clockField(unit: string, us: bigint): Numeric | undefined {
  const secUs = us % USECS_PER_MINUTE;
  switch (unit) {
    case 'microseconds': return int(secUs);
    case 'milliseconds': return dec(secUs * 1000n, 3);
    case 'second': return dec(secUs, 6);
    case 'minute': return int((us % USECS_PER_HOUR) / USECS_PER_MINUTE);
    case 'hour': return int(us / USECS_PER_HOUR);
  }
  return undefined;
}

function extractTime(unit: string, us: bigint): Numeric {
  if (unit === 'epoch') return dec(us, 6);
  const r = clockField(unit, us);
  if (!r) throw notSupported(unit, 'time');
  return r;
}

function infiniteField(unit: string, positive: boolean, kind: DateTimeKind, raw: string): Numeric | null {
  if (MONOTONIC.has(unit)) return positive ? Numeric.POSITIVE_INFINITY : Numeric.NEGATIVE_INFINITY;
  if (kind === 'date' && ['microseconds', 'milliseconds', 'second', 'minute', 'hour'].includes(unit)) throw notSupported(raw, kind);
  return null;
}

function extractInterval(unit: string, iv: Interval): Numeric {
  const years = Math.trunc(iv.months / 12);
  switch (unit) {
    case 'epoch': {
      const days = BigInt(years) * 36525n * 864n + BigInt((iv.months % 12) * 30 + iv.days) * 86400n;
      return dec(days * USECS_PER_SEC + iv.micros, 6);
    }
    case 'year': return int(years);
    case 'month': return int(iv.months % 12);
    case 'day': return int(iv.days);
    case 'quarter': return int(Math.trunc((iv.months % 12) / 3) + 1);
    case 'decade': return int(Math.trunc(years / 10));
    case 'century': return int(Math.trunc(years / 100));
    case 'millennium': return int(Math.trunc(years / 1000));
  }
  const r = clockField(unit, iv.micros);
  if (!r) throw notSupported(unit, 'interval');
  return r;
}

const TRUNC_ORDER = ['microseconds', 'milliseconds', 'second', 'minute', 'hour', 'day', 'week', 'month', 'quarter', 'year', 'decade', 'century', 'millennium'];

/** Truncates local µs since 1970 to a unit (PostgreSQL's timestamp_trunc). */
function truncLocal(unit: string, local: bigint): bigint {
  const [days, us] = splitTimestamp(local);
  const dayStart = BigInt(days) * USECS_PER_DAY;
  const cut = (q: bigint) => dayStart + (us / q) * q;
  switch (unit) {
    case 'microseconds': return local;
    case 'milliseconds': return cut(1000n);
    case 'second': return cut(USECS_PER_SEC);
    case 'minute': return cut(USECS_PER_MINUTE);
    case 'hour': return cut(USECS_PER_HOUR);
    case 'day': return dayStart;
    case 'week': return BigInt(days - ((((days % 7) + 11) % 7) + 6) % 7) * USECS_PER_DAY;
  }
  const [y, m] = civilFromDays(days);
  const ymd = (year: number, month = 1) => BigInt(daysFromCivil(year, month, 1)) * USECS_PER_DAY;
  switch (unit) {
    case 'month': return ymd(y, m);
    case 'quarter': return ymd(y, Math.floor((m - 1) / 3) * 3 + 1);
    case 'year': return ymd(y);
    case 'decade': return ymd(y > 0 ? Math.trunc(y / 10) * 10 : -Math.trunc((8 - (y - 1)) / 10) * 10);
    case 'century': return ymd(y > 0 ? Math.trunc((y + 99) / 100) * 100 - 99 : -Math.trunc((99 - (y - 1)) / 100) * 100 + 1);
    default: return ymd(y > 0 ? Math.trunc((y + 999) / 1000) * 1000 - 999 : -Math.trunc((999 - (y - 1)) / 1000) * 1000 + 1);
  }
}

/** date_trunc(unit, timestamp | timestamptz); timestamptz truncates in the session zone. */
export function dateTrunc(unit: string, ts: bigint, kind: 'timestamp' | 'timestamptz', timeZone = 'UTC'): bigint {
  const u = normaliseUnit(unit, kind);
  if (!TRUNC_ORDER.includes(u)) throw notSupported(unit, kind);
  if (isInfiniteTimestamp(ts)) return ts;
  if (kind === 'timestamp') return truncLocal(u, ts);
  const zone = sessionTimeZone(timeZone);
  const offset = BigInt(zone.offsetAt(ts)) * USECS_PER_SEC;
  const truncated = truncLocal(u, ts + offset);
  return TRUNC_ORDER.indexOf(u) >= TRUNC_ORDER.indexOf('day') ? localToUtc(truncated, zone) : truncated - offset;
}
