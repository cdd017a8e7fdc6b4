/**
 * Dates and times in JSON messages: the `dataFormat`s of Trino's JSON decoder and encoder.
 *
 * | dataFormat                 | value                                  | date | time | timestamp | timestamptz |
 * |----------------------------|----------------------------------------|------|------|-----------|-------------|
 * | `iso8601`                  | text: 2020-07-15, 01:02:03.456, 2020-07-15T01:02:03.456[+02:00] | ✓ | ✓ | ✓ | ✓ |
 * | `rfc2822`                  | text: Wed Jul 15 01:02:03 +0000 2020   |      |      | ✓         | ✓           |
 * | `milliseconds-since-epoch` | number (or text of one)                |      | ✓    | ✓         | ✓           |
 * | `seconds-since-epoch`      | number (or text of one)                |      | ✓    | ✓         | ✓           |
 * | `custom-date-time`         | text in the Joda-Time pattern `formatHint` | ✓ | ✓  | ✓         | ✓           |
 *
 * As in Trino, an ISO 8601 `timestamp` keeps the local date and time and ignores an offset,
 * an ISO `timestamptz` needs one, and the other formats give an instant whose UTC date and
 * time a `timestamp` column holds. Writing uses UTC.
 */
import { SqlError, SqlState } from '../../../engine/errors/index.js';
import { civilFromDays, daysFromCivil, daysInMonth } from '../../../engine/types/datetime.js';
import { cannotRead, type ValueTarget } from '../types.js';
import { badField, type FieldSpec } from './codec.js';

export type TemporalFormat = 'iso8601' | 'rfc2822' | 'milliseconds-since-epoch' | 'seconds-since-epoch' | 'custom-date-time';

const ALLOWED: Readonly<Record<string, readonly TemporalFormat[]>> = {
  date: ['custom-date-time', 'iso8601'],
  time: ['custom-date-time', 'iso8601', 'milliseconds-since-epoch', 'seconds-since-epoch'],
  timestamp: ['custom-date-time', 'iso8601', 'rfc2822', 'milliseconds-since-epoch', 'seconds-since-epoch'],
  timestamptz: ['custom-date-time', 'iso8601', 'rfc2822', 'milliseconds-since-epoch', 'seconds-since-epoch'],
};

export const isTemporal = (t: { readonly name: string }): boolean => t.name in ALLOWED;

const US_PER_MS = 1000n;
const US_PER_SECOND = 1_000_000n;
const US_PER_DAY = 86_400_000_000n;

/** Reads and writes one temporal field in its dataFormat. */
export class TemporalField {
  private readonly pattern: JodaPattern | undefined;

  constructor(private readonly field: FieldSpec, readonly format: TemporalFormat) {
    if (!ALLOWED[field.type.name]!.includes(format)) {
      throw badField(field, `dataFormat "${format}" does not suit its type; use ${ALLOWED[field.type.name]!.join(', ')}`);
    }
    if (format === 'custom-date-time') {
      if (!field.formatHint) throw badField(field, 'dataFormat custom-date-time needs a formatHint (a Joda-Time pattern)');
      this.pattern = new JodaPattern(field.formatHint, field);
    } else if (field.formatHint !== undefined) throw badField(field, `dataFormat ${format} takes no formatHint`);
  }

  /** The datum of a JSON string or number (its text, and whether it was a number). */
  read(text: string, isNumber: boolean): number | bigint {
    const f = this.field;
    const kind = f.type.name;
    switch (this.format) {
      case 'milliseconds-since-epoch':
      case 'seconds-since-epoch': {
        if (!/^[+-]?\d+$/.test(text)) throw cannotRead(text, f);
        const us = BigInt(text) * (this.format === 'seconds-since-epoch' ? US_PER_SECOND : US_PER_MS);
        if (kind === 'time' && (us < 0n || us >= US_PER_DAY)) throw cannotRead(text, f, 'not a time of day');
        return us;
      }
      case 'iso8601':
        if (isNumber) throw cannotRead(text, f);
        return readIso(text, f);
      case 'rfc2822':
        if (isNumber) throw cannotRead(text, f);
        return ofInstant(readRfc2822(text, f), kind);
      case 'custom-date-time': {
        const parsed = this.pattern!.parse(text);
        if (!parsed) throw cannotRead(text, f);
        return ofInstant(parsed, kind);
      }
    }
  }

  /** The JSON value (text, or a number's digits) written for a datum. */
  write(datum: number | bigint): { readonly text: string; readonly isNumber: boolean } {
    const kind = this.field.type.name;
    const us = kind === 'date' ? BigInt(datum) * US_PER_DAY : (datum as bigint);
    switch (this.format) {
      case 'milliseconds-since-epoch': return { text: String(floorDiv(us, US_PER_MS)), isNumber: true };
      case 'seconds-since-epoch': return { text: String(floorDiv(us, US_PER_SECOND)), isNumber: true };
      case 'iso8601': return { text: writeIso(us, kind), isNumber: false };
      case 'rfc2822': return { text: RFC2822.format(us), isNumber: false };
      case 'custom-date-time': return { text: this.pattern!.format(us), isNumber: false };
    }
  }
}

/** A datum of the column's kind from an instant (µs since 1970 UTC). */
function ofInstant(us: bigint, kind: string): number | bigint {
  switch (kind) {
    case 'date': return Number(floorDiv(us, US_PER_DAY));
    case 'time': return us - floorDiv(us, US_PER_DAY) * US_PER_DAY;
    default: return us;
  }
}

const floorDiv = (a: bigint, b: bigint): bigint => (a % b !== 0n && a < 0n !== b < 0n ? a / b - 1n : a / b);

// ---- ISO 8601 ----------------------------------------------------------------------------------

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})/;
const ISO_TIME = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?/;
const ISO_OFFSET = /^(?:Z|([+-])(\d{2}):(\d{2})(?::(\d{2}))?)$/;

interface Civil {
  readonly days: number;
  readonly micros: bigint;
  readonly offsetSeconds: number | undefined;
}

/** Trino's ISO parsing: DATE (ISO_DATE), TIME (ISO_TIME), TIMESTAMP (ISO_DATE_TIME, local), TIMESTAMPTZ (ISO_OFFSET_DATE_TIME). */
function readIso(text: string, f: ValueTarget): number | bigint {
  const kind = f.type.name;
  const fail = () => cannotRead(text, f);
  let rest = text;
  let days = 0;
  if (kind !== 'time') {
    const d = ISO_DATE.exec(rest);
    if (!d) throw fail();
    days = civilDays(Number(d[1]), Number(d[2]), Number(d[3]), fail);
    rest = rest.slice(d[0].length);
    if (kind === 'date') {
      if (rest !== '' && !ISO_OFFSET.test(rest)) throw fail();
      return days;
    }
    if (rest[0] !== 'T') throw fail();
    rest = rest.slice(1);
  }
  const t = ISO_TIME.exec(rest);
  if (!t) throw fail();
  const micros = clockMicros(Number(t[1]), Number(t[2]), Number(t[3] ?? 0), t[4] ?? '', fail);
  rest = rest.slice(t[0].length);
  const civil: Civil = { days, micros, offsetSeconds: rest === '' ? undefined : offsetOf(ISO_OFFSET.exec(rest), fail) };
  if (kind === 'time') return civil.micros;
  if (kind === 'timestamp') return BigInt(civil.days) * US_PER_DAY + civil.micros;
  if (civil.offsetSeconds === undefined) throw cannotRead(text, f, 'a timestamp with time zone needs an offset (Z or ±hh:mm)');
  return BigInt(civil.days) * US_PER_DAY + civil.micros - BigInt(civil.offsetSeconds) * US_PER_SECOND;
}

function offsetOf(m: RegExpExecArray | null, fail: () => SqlError): number {
  if (!m) throw fail();
  if (m[1] === undefined) return 0;
  const seconds = Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4] ?? 0);
  if (Number(m[2]) > 18 || Number(m[3]) > 59) throw fail();
  return m[1] === '-' ? -seconds : seconds;
}

function civilDays(year: number, month: number, day: number, fail: () => SqlError): number {
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) throw fail();
  return daysFromCivil(year, month, day);
}

function clockMicros(hour: number, minute: number, second: number, fraction: string, fail: () => SqlError): bigint {
  if (hour > 23 || minute > 59 || second > 59) throw fail();
  const us = BigInt((fraction + '000000').slice(0, 6));
  return BigInt((hour * 60 + minute) * 60 + second) * US_PER_SECOND + us;
}

function writeIso(us: bigint, kind: string): string {
  const days = Number(floorDiv(us, US_PER_DAY));
  const clock = us - BigInt(days) * US_PER_DAY;
  const [y, m, d] = civilFromDays(days);
  const date = `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`;
  if (kind === 'date') return date;
  const seconds = Number(clock / US_PER_SECOND);
  const fraction = String(clock % US_PER_SECOND).padStart(6, '0').replace(/0+$/, '');
  const time = `${pad(Math.floor(seconds / 3600), 2)}:${pad(Math.floor(seconds / 60) % 60, 2)}:${pad(seconds % 60, 2)}${fraction ? `.${fraction}` : ''}`;
  if (kind === 'time') return time;
  return `${date}T${time}${kind === 'timestamptz' ? 'Z' : ''}`;
}

const pad = (n: number, width: number): string => (n < 0 ? '-' + String(-n).padStart(width, '0') : String(n).padStart(width, '0'));

// ---- Joda-Time patterns (custom-date-time, and rfc2822's fixed pattern) -------------------------

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

type Token =
  | { readonly kind: 'literal'; readonly text: string }
  | { readonly kind: 'field'; readonly letter: string; readonly count: number };

/** The Joda-Time pattern letters supported: year, month, day, weekday, hours, AM/PM, minutes, seconds, fraction, offset. */
const LETTERS = new Set(['y', 'Y', 'M', 'd', 'E', 'H', 'k', 'h', 'K', 'a', 'm', 's', 'S', 'Z']);

class JodaPattern {
  private readonly tokens: readonly Token[];
  private readonly regex: RegExp;
  private readonly groups: readonly Extract<Token, { kind: 'field' }>[];

  constructor(pattern: string, field?: FieldSpec) {
    this.tokens = tokenize(pattern, field);
    this.groups = this.tokens.filter((t): t is Extract<Token, { kind: 'field' }> => t.kind === 'field');
    this.regex = new RegExp(`^${this.tokens.map(regexOf).join('')}$`, 'i');
  }

  /** The instant (µs since 1970 UTC) a text in this pattern stands for, or undefined when it does not match. */
  parse(text: string): bigint | undefined {
    const m = this.regex.exec(text.trim());
    if (!m) return undefined;
    let year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0, fraction = '', pm: boolean | undefined, offset = 0;
    this.groups.forEach((t, i) => {
      const v = m[i + 1]!;
      switch (t.letter) {
        case 'y': case 'Y': year = t.count === 2 ? 2000 + Number(v) - (Number(v) >= 50 ? 100 : 0) : Number(v); break;
        case 'M': month = t.count >= 3 ? MONTHS.findIndex((n) => n.slice(0, v.length).toLowerCase() === v.toLowerCase()) + 1 : Number(v); break;
        case 'd': day = Number(v); break;
        case 'H': case 'K': hour = Number(v); break;
        case 'k': hour = Number(v) % 24; break;
        case 'h': hour = Number(v) % 12; break;
        case 'a': pm = v.toUpperCase() === 'PM'; break;
        case 'm': minute = Number(v); break;
        case 's': second = Number(v); break;
        case 'S': fraction = v; break;
        case 'Z': offset = v.toUpperCase() === 'Z' ? 0 : (v[0] === '-' ? -1 : 1) * (Number(v.slice(1, 3)) * 3600 + Number(v.slice(-2)) * 60); break;
      }
    });
    if (pm !== undefined && hour < 12 && pm) hour += 12;
    if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) return undefined;
    const us = BigInt(daysFromCivil(year, month, day)) * US_PER_DAY + BigInt((hour * 60 + minute) * 60 + second) * US_PER_SECOND + BigInt((fraction + '000000').slice(0, 6));
    return us - BigInt(offset) * US_PER_SECOND;
  }

  /** The text of an instant in this pattern, in UTC. */
  format(us: bigint): string {
    const days = Number(floorDiv(us, US_PER_DAY));
    const clock = us - BigInt(days) * US_PER_DAY;
    const [year, month, day] = civilFromDays(days);
    const seconds = Number(clock / US_PER_SECOND);
    const hour = Math.floor(seconds / 3600);
    const weekday = (((days + 3) % 7) + 7) % 7; // 1970-01-01 was a Thursday (index 3 from Monday)
    return this.tokens.map((t) => {
      if (t.kind === 'literal') return t.text;
      switch (t.letter) {
        case 'y': case 'Y': return t.count === 2 ? pad(((year % 100) + 100) % 100, 2) : pad(year, t.count);
        case 'M': return t.count >= 4 ? MONTHS[month - 1]! : t.count === 3 ? MONTHS[month - 1]!.slice(0, 3) : pad(month, t.count);
        case 'd': return pad(day, t.count);
        case 'E': return t.count >= 4 ? WEEKDAYS[weekday]! : WEEKDAYS[weekday]!.slice(0, 3);
        case 'H': return pad(hour, t.count);
        case 'k': return pad(hour === 0 ? 24 : hour, t.count);
        case 'h': return pad(hour % 12 === 0 ? 12 : hour % 12, t.count);
        case 'K': return pad(hour % 12, t.count);
        case 'a': return hour < 12 ? 'AM' : 'PM';
        case 'm': return pad(Math.floor(seconds / 60) % 60, t.count);
        case 's': return pad(seconds % 60, t.count);
        case 'S': return String(clock % US_PER_SECOND).padStart(6, '0').padEnd(t.count, '0').slice(0, t.count);
        default: return t.count >= 2 ? '+00:00' : '+0000';
      }
    }).join('');
  }
}

function tokenize(pattern: string, field?: FieldSpec): Token[] {
  const tokens: Token[] = [];
  const bad = (message: string) => (field ? badField(field, message) : new SqlError(SqlState.INTERNAL_ERROR, message));
  for (let i = 0; i < pattern.length;) {
    const c = pattern[i]!;
    if (c === "'") {
      const close = pattern.indexOf("'", i + 1);
      if (close < 0) throw bad(`formatHint "${pattern}" has an unclosed quote`);
      tokens.push({ kind: 'literal', text: close === i + 1 ? "'" : pattern.slice(i + 1, close) });
      i = close + 1;
    } else if (/[A-Za-z]/.test(c)) {
      let n = 1;
      while (pattern[i + n] === c) n++;
      if (!LETTERS.has(c)) throw bad(`formatHint "${pattern}": the Joda-Time letter "${c}" is not supported (y M d E H k h K a m s S Z are)`);
      tokens.push({ kind: 'field', letter: c, count: n });
      i += n;
    } else {
      tokens.push({ kind: 'literal', text: c });
      i++;
    }
  }
  return tokens;
}

function regexOf(t: Token): string {
  if (t.kind === 'literal') return t.text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const digits = (n: number) => (n >= 2 ? `(\\d{${n}})` : '(\\d{1,2})');
  switch (t.letter) {
    case 'y': case 'Y': return t.count === 2 ? '(\\d{2})' : '(\\d{4})';
    case 'M': return t.count >= 3 ? '([A-Za-z]{3,9})' : digits(t.count);
    case 'E': return '([A-Za-z]{3,9})';
    case 'a': return '(AM|PM)';
    case 'S': return '(\\d{1,9})';
    case 'Z': return t.count >= 2 ? '([+-]\\d{2}:\\d{2}|Z)' : '([+-]\\d{4}|Z)';
    default: return digits(t.count);
  }
}

const RFC2822 = new JodaPattern('EEE MMM dd HH:mm:ss Z yyyy');

function readRfc2822(text: string, f: ValueTarget): bigint {
  const us = RFC2822.parse(text);
  if (us === undefined) throw cannotRead(text, f);
  return us;
}
