/**
 * to_char for dates, timestamps, intervals and numbers, and to_date / to_timestamp(text, text),
 * following PostgreSQL's formatting.c for the common patterns: YYYY YYY YY Y IYYY MM Mon Month
 * DD D DDD ID IW WW Q J HH HH12 HH24 MI SS SSSS MS US AM/PM A.M./P.M. AD/BC TZ OF CC with FM
 * and TH/th modifiers and "quoted" text; numbers: 9 0 . , D G S PR MI PL SG FM TH.
 * Not supported: RM (roman numerals), EEEE, V, L (currency) and FX/exact-mode parsing.
 */
import { SqlError, SqlState } from '../../errors/index.js';
import {
  civilFromDays,
  daysFromCivil,
  daysInMonth,
  timestampFields,
  timestamptzToTimestamp,
  USECS_PER_DAY,
  type DateTimeFields,
} from '../../types/datetime.js';
import type { Interval } from '../../types/interval.js';
import { Numeric } from '../../types/numeric.js';
import { T } from '../../types/pg-type.js';
import { localToUtc, sessionTimeZone } from '../../types/timezone.js';
import { defineScalar } from '../define.js';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const KEYWORDS = [
  'A.D.', 'A.M.', 'B.C.', 'P.M.', 'Y,YYY', 'HH24', 'HH12', 'IDDD', 'IYYY', 'MONTH', 'SSSSS', 'SSSS', 'YYYY', 'DAY', 'DDD', 'IYY', 'MON', 'TZH', 'TZM',
  'YYY', 'AD', 'AM', 'BC', 'CC', 'DD', 'DY', 'HH', 'ID', 'IW', 'IY', 'MI', 'MM', 'MS', 'OF', 'PM', 'SS', 'TZ', 'US', 'WW', 'YY', 'D', 'I', 'J', 'Q', 'W', 'Y',
];

interface Token {
  kw?: string;
  /** How the keyword was written: 'upper', 'lower' or 'cap' (first letter upper). */
  style?: 'upper' | 'lower' | 'cap';
  fm?: boolean;
  th?: 'TH' | 'th';
  literal?: string;
}

function tokenize(fmt: string): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < fmt.length; ) {
    let fm = false;
    while (fmt.slice(i, i + 2).toUpperCase() === 'FM') {
      fm = true;
      i += 2;
    }
    const c = fmt[i];
    if (c === undefined) break;
    if (c === '"') {
      let lit = '';
      for (i++; i < fmt.length && fmt[i] !== '"'; i++) {
        if (fmt[i] === '\\' && i + 1 < fmt.length) i++;
        lit += fmt[i];
      }
      out.push({ literal: lit });
      i++;
      continue;
    }
    if (c === '\\' && fmt[i + 1] === '"') {
      out.push({ literal: '"' });
      i += 2;
      continue;
    }
    const kw = KEYWORDS.find((k) => fmt.slice(i, i + k.length).toUpperCase() === k);
    if (!kw) {
      out.push({ literal: c });
      i++;
      continue;
    }
    const written = fmt.slice(i, i + kw.length);
    const style = written === written.toUpperCase() ? (written.length > 1 && /[a-z]/.test(written.slice(1)) ? 'cap' : 'upper') : written[0] === written[0]!.toUpperCase() ? 'cap' : 'lower';
    i += kw.length;
    const suffix = fmt.slice(i, i + 2);
    const th = suffix === 'TH' || suffix === 'th' ? suffix : undefined;
    if (th) i += 2;
    out.push({ kw, style, fm, ...(th ? { th } : {}) });
  }
  return out;
}

const ordinal = (n: number, upper: boolean) => {
  const m = Math.abs(n) % 100;
  const s = m >= 11 && m <= 13 ? 'th' : ['th', 'st', 'nd', 'rd'][m % 10] ?? 'th';
  return upper ? s.toUpperCase() : s;
};
const styled = (s: string, style: Token['style']) => (style === 'upper' ? s.toUpperCase() : style === 'lower' ? s.toLowerCase() : s);

interface Moment {
  f: DateTimeFields;
  days: number;
  /** µs within the day (or total time of an interval). */
  us: bigint;
  zoneAbbrev: string;
  offsetSec: number | null;
  isInterval: boolean;
}

function isoWeek(days: number): [number, number] {
  const isodow = (((days % 7) + 11) % 7 + 6) % 7;
  const thursday = days - isodow + 3;
  const [y] = civilFromDays(thursday);
  return [y, Math.floor((thursday - daysFromCivil(y, 1, 1)) / 7) + 1];
}

function formatDateTime(m: Moment, fmt: string): string {
  const { f } = m;
  const bc = f.year <= 0;
  const year = bc ? 1 - f.year : f.year;
  const hour = Number(m.us / 3_600_000_000n);
  let out = '';
  for (const t of tokenize(fmt)) {
    if (t.literal !== undefined) {
      out += t.literal;
      continue;
    }
    const num = (v: number, width: number) => {
      const s = t.fm ? String(v) : String(Math.abs(v)).padStart(width, '0');
      return (v < 0 && !t.fm ? '-' : '') + s + (t.th ? ordinal(v, t.th === 'TH') : '');
    };
    const name = (s: string, pad: boolean) => {
      const v = styled(s, t.style);
      return pad && !t.fm ? v.padEnd(9) : v;
    };
    const hour12 = hour % 12 === 0 ? 12 : hour % 12;
    const secOfMinute = Number((m.us % 60_000_000n) / 1_000_000n);
    switch (t.kw) {
      case 'YYYY': out += num(year, 4); break;
      case 'Y,YYY': out += `${Math.floor(year / 1000)},${String(year % 1000).padStart(3, '0')}`; break;
      case 'YYY': out += num(year % 1000, 3); break;
      case 'YY': out += num(year % 100, 2); break;
      case 'Y': out += num(year % 10, 1); break;
      case 'IYYY': out += num(isoWeek(m.days)[0], 4); break;
      case 'IYY': out += num(isoWeek(m.days)[0] % 1000, 3); break;
      case 'IY': out += num(isoWeek(m.days)[0] % 100, 2); break;
      case 'I': out += num(isoWeek(m.days)[0] % 10, 1); break;
      case 'CC': out += num(Math.floor((year - 1) / 100) + 1, 2); break;
      case 'MM': out += num(f.month, 2); break;
      case 'MONTH': out += name(MONTHS[f.month - 1]!, true); break;
      case 'MON': out += name(MONTHS[f.month - 1]!.slice(0, 3), false); break;
      case 'DD': out += num(f.day, 2); break;
      case 'DDD': out += num(f.doy, 3); break;
      case 'IDDD': out += num((isoWeek(m.days)[1] - 1) * 7 + ((f.dow + 6) % 7) + 1, 3); break;
      case 'D': out += num(f.dow + 1, 1); break;
      case 'ID': out += num(f.dow === 0 ? 7 : f.dow, 1); break;
      case 'DAY': out += name(DAYS[f.dow]!, true); break;
      case 'DY': out += name(DAYS[f.dow]!.slice(0, 3), false); break;
      case 'W': out += num(Math.floor((f.day - 1) / 7) + 1, 1); break;
      case 'WW': out += num(Math.floor((f.doy - 1) / 7) + 1, 2); break;
      case 'IW': out += num(isoWeek(m.days)[1], 2); break;
      case 'Q': out += num(Math.floor((f.month - 1) / 3) + 1, 1); break;
      case 'J': out += num(m.days + 2440588, 1); break;
      case 'HH': case 'HH12': out += num(m.isInterval ? hour : hour12, 2); break;
      case 'HH24': out += num(hour, 2); break;
      case 'MI': out += num(Number((m.us % 3_600_000_000n) / 60_000_000n), 2); break;
      case 'SS': out += num(secOfMinute, 2); break;
      case 'SSSS': case 'SSSSS': out += num(Number((m.us % USECS_PER_DAY) / 1_000_000n), 1); break;
      case 'MS': out += num(Math.floor(f.microsecond / 1000), 3); break;
      case 'US': out += num(f.microsecond, 6); break;
      case 'AM': case 'PM': out += styled(hour < 12 ? 'AM' : 'PM', t.style === 'lower' ? 'lower' : 'upper'); break;
      case 'A.M.': case 'P.M.': out += styled(hour < 12 ? 'A.M.' : 'P.M.', t.style === 'lower' ? 'lower' : 'upper'); break;
      case 'AD': case 'BC': out += styled(bc ? 'BC' : 'AD', t.style === 'lower' ? 'lower' : 'upper'); break;
      case 'A.D.': case 'B.C.': out += styled(bc ? 'B.C.' : 'A.D.', t.style === 'lower' ? 'lower' : 'upper'); break;
      case 'TZ': out += t.style === 'lower' ? m.zoneAbbrev.toLowerCase() : m.zoneAbbrev; break;
      case 'OF': case 'TZH': case 'TZM': {
        if (m.offsetSec === null) break;
        const o = Math.abs(m.offsetSec);
        const hh = String(Math.floor(o / 3600)).padStart(2, '0');
        const mm = String(Math.floor((o % 3600) / 60)).padStart(2, '0');
        const sign = m.offsetSec < 0 ? '-' : '+';
        out += t.kw === 'TZH' ? sign + hh : t.kw === 'TZM' ? mm : sign + hh + (mm !== '00' ? ':' + mm : '');
        break;
      }
    }
  }
  return out;
}

const moment = (local: bigint, zoneAbbrev = '', offsetSec: number | null = null): Moment => {
  const days = Number((local - (((local % USECS_PER_DAY) + USECS_PER_DAY) % USECS_PER_DAY)) / USECS_PER_DAY);
  return { f: timestampFields(local), days, us: ((local % USECS_PER_DAY) + USECS_PER_DAY) % USECS_PER_DAY, zoneAbbrev, offsetSec, isInterval: false };
};

defineScalar('to_char', [T.timestamp, T.text], T.text, ([ts, f]: [bigint, string]) => formatDateTime(moment(ts), f), 'format timestamp as text', { volatility: 'stable' });
defineScalar('to_char', [T.timestamptz, T.text], T.text, ([ts, f]: [bigint, string], ctx) => {
  const zone = sessionTimeZone(ctx.format.timeZone);
  return formatDateTime(moment(timestamptzToTimestamp(ts, ctx.format.timeZone), zone.abbrevAt(ts), zone.offsetAt(ts)), f);
}, 'format timestamp with time zone as text', { volatility: 'stable' });
defineScalar('to_char', [T.date, T.text], T.text, ([d, f]: [number, string]) => formatDateTime(moment(BigInt(d) * USECS_PER_DAY), f), 'format date as text', { volatility: 'stable' });
defineScalar('to_char', [T.interval, T.text], T.text, ([iv, f]: [Interval, string]) => {
  const m: Moment = {
    f: { year: Math.trunc(iv.months / 12), month: iv.months % 12, day: iv.days, hour: 0, minute: 0, second: 0, microsecond: Number(iv.micros % 1_000_000n), dow: 0, doy: iv.days },
    days: iv.days, us: iv.micros, zoneAbbrev: '', offsetSec: null, isInterval: true,
  };
  return formatDateTime(m, f);
}, 'format interval as text', { volatility: 'stable' });

// ---- numbers ---------------------------------------------------------------------------------

/** to_char(number, format) for a Numeric value. */
export function formatNumber(value: Numeric, fmt: string): string {
  const upper = fmt.toUpperCase();
  const fm = upper.includes('FM');
  const body = fmt.replace(/FM/gi, '');
  const point = body.search(/[.D]/i);
  const digitsIn = (s: string) => (s.match(/[90]/g) ?? []).length;
  const pre = digitsIn(point < 0 ? body : body.slice(0, point));
  const post = point < 0 ? 0 : digitsIn(body.slice(point + 1));
  const hasPR = /PR/i.test(body);
  const hasMI = /MI/i.test(body);
  const hasSG = /SG/i.test(body);
  const hasPL = /PL/i.test(body);
  const leadingS = /^S/i.test(body);
  const trailingS = !leadingS && /S$/i.test(body) && !/SS$/i.test(body);
  const neg = value.sign() < 0;
  const rounded = value.abs().round(post);
  const [intPart, fracPart = ''] = rounded.toString().split('.');
  const intDigits = intPart === '0' ? '' : intPart!;
  const overflow = intDigits.length > pre || !value.isFinite();
  const firstZero = (point < 0 ? body : body.slice(0, point)).search(/0/);
  let out = '';
  let fracIndex = 0;
  let started = false;
  let afterPoint = false;
  let placeholder = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    const two = body.slice(i, i + 2).toUpperCase();
    if (two === 'PR' || two === 'MI' || two === 'SG' || two === 'PL' || two === 'TH') {
      if (two === 'MI') out += neg ? '-' : fm ? '' : ' ';
      if (two === 'SG') out += neg ? '-' : '+';
      if (two === 'PL') out += neg ? '' : '+';
      if (two === 'TH') out += overflow ? '' : ordinal(Number(intDigits || '0'), body.slice(i, i + 2) === 'TH');
      i++;
      continue;
    }
    if ((c === 'S' || c === 's') && ((i === 0 && leadingS) || (i === body.length - 1 && trailingS))) {
      if (trailingS) out += neg ? '-' : '+';
      continue;
    }
    if (c === '9' || c === '0') {
      if (overflow) {
        out += '#';
        continue;
      }
      if (!afterPoint) {
        const pos = pre - placeholder++;
        const digit = pos <= intDigits.length ? intDigits[intDigits.length - pos] : undefined;
        if (digit !== undefined) {
          out += digit;
          started = true;
        } else if (c === '0' || (firstZero >= 0 && i >= firstZero) || (pos === 1 && post === 0)) {
          out += '0';
          started = true;
        } else out += fm ? '' : ' ';
      } else {
        const d = fracPart[fracIndex++] ?? '0';
        out += d;
      }
      continue;
    }
    if (c === '.' || c === 'D' || c === 'd') {
      out += '.';
      afterPoint = true;
      continue;
    }
    if (c === ',' || c === 'G' || c === 'g') {
      out += overflow || started ? ',' : fm ? '' : ' ';
      continue;
    }
    out += c;
  }
  if (fm && post > 0 && !overflow) {
    // FM drops trailing zeros produced by '9' placeholders after the point
    const fracFmt = body.slice(point + 1).replace(/[^90]/g, '');
    let trim = 0;
    for (let k = fracFmt.length - 1; k >= 0 && fracFmt[k] === '9' && fracPart[k] === '0'; k--) trim++;
    if (trim) {
      const at = out.lastIndexOf('.') + 1 + (fracFmt.length - trim);
      out = out.slice(0, at) + out.slice(at + trim);
    }
  }
  // the anchored sign (default slot, leading S, PR) goes just before the first digit
  if (!hasMI && !hasSG && !trailingS) {
    const sign = hasPR ? (neg ? '<' : ' ') : hasPL && !neg ? '' : neg ? '-' : fm && !leadingS ? '' : leadingS ? '+' : ' ';
    const first = out.search(/[0-9#.]/);
    const at = first < 0 ? out.length : first;
    const blank = at > 0 && out[at - 1] === ' ' && !hasPL;
    out = blank ? out.slice(0, at - 1) + sign + out.slice(at) : (hasPL ? '' : sign) + out;
    if (hasPL) out = out.replace('+', '+ ');
    if (blank) out = ' ' + out;
    if (fm) out = out.replace(/^ +/, '');
    if (hasPR) out += neg ? '>' : fm ? '' : ' ';
  }
  return out;
}

const NUMBER_TYPES = [T.int2, T.int4, T.int8, T.numeric, T.float4, T.float8];
for (const type of NUMBER_TYPES) {
  const lift = (v: unknown): Numeric =>
    type === T.numeric ? (v as Numeric) : type === T.float8 ? Numeric.fromFloat(v as number) : type === T.float4 ? Numeric.fromFloat(v as number, 6) : Numeric.fromInt(v as number | bigint);
  defineScalar('to_char', [type, T.text], T.text, ([v, f]: [unknown, string]) => formatNumber(lift(v), f), `format ${type.name} as text`, { volatility: 'stable' });
}

// ---- parsing: to_date, to_timestamp ----------------------------------------------------------

interface Parsed {
  year?: number;
  month?: number;
  day?: number;
  hour: number;
  minute: number;
  second: number;
  micro: number;
  pm?: boolean;
  bc: boolean;
  doy?: number;
}

function parseDateTime(input: string, fmt: string): Parsed {
  const p: Parsed = { hour: 0, minute: 0, second: 0, micro: 0, bc: false };
  let i = 0;
  const invalid = (what: string) => new SqlError(SqlState.INVALID_DATETIME_FORMAT, what);
  const readInt = (max: number, field: string): number => {
    while (input[i] === ' ') i++;
    const m = new RegExp(`^[+-]?\\d{1,${max}}`).exec(input.slice(i));
    if (!m) throw invalid(`invalid value "${input.slice(i, i + max)}" for "${field}"`);
    i += m[0].length;
    return Number(m[0]);
  };
  const readName = (names: string[], len: number | null, field: string): number => {
    while (input[i] === ' ') i++;
    const rest = input.slice(i).toLowerCase();
    const k = names.findIndex((n) => rest.startsWith((len ? n.slice(0, len) : n).toLowerCase()));
    if (k < 0) throw invalid(`invalid value "${input.slice(i, i + (len ?? 9))}" for "${field}"`);
    i += len ?? names[k]!.length;
    return k;
  };
  for (const t of tokenize(fmt)) {
    if (t.literal !== undefined) {
      if (t.literal === ' ') while (input[i] === ' ') i++;
      else i += t.literal.length;
      continue;
    }
    switch (t.kw) {
      case 'YYYY': case 'IYYY': p.year = readInt(t.fm ? 9 : 4, t.kw); break;
      case 'Y,YYY': {
        const a = readInt(3, t.kw);
        i++;
        p.year = a * 1000 + readInt(3, t.kw);
        break;
      }
      case 'YYY': p.year = 2000 + readInt(3, t.kw); break;
      case 'YY': { const y = readInt(2, t.kw); p.year = y < 70 ? 2000 + y : 1900 + y; break; }
      case 'Y': p.year = 2000 + readInt(1, t.kw); break;
      case 'MM': p.month = readInt(2, t.kw); break;
      case 'MONTH': p.month = readName(MONTHS, null, t.kw) + 1; break;
      case 'MON': p.month = readName(MONTHS, 3, t.kw) + 1; break;
      case 'DD': p.day = readInt(2, t.kw); break;
      case 'DDD': p.doy = readInt(3, t.kw); break;
      case 'DAY': readName(DAYS, null, t.kw); break;
      case 'DY': readName(DAYS, 3, t.kw); break;
      case 'D': case 'ID': readInt(1, t.kw); break;
      case 'HH': case 'HH12': case 'HH24': p.hour = readInt(2, t.kw); break;
      case 'MI': p.minute = readInt(2, t.kw); break;
      case 'SS': p.second = readInt(2, t.kw); break;
      case 'MS': p.micro = readInt(3, t.kw) * 1000; break;
      case 'US': p.micro = readInt(6, t.kw); break;
      case 'AM': case 'PM': case 'A.M.': case 'P.M.': {
        while (input[i] === ' ') i++;
        const w = input.slice(i, i + t.kw.length).toUpperCase();
        p.pm = w.startsWith('P');
        i += t.kw.length;
        break;
      }
      case 'AD': case 'BC': case 'A.D.': case 'B.C.': p.bc = input.slice(i, i + 1).toUpperCase() === 'B'; i += t.kw.length; break;
      case 'J': {
        const [y, m, d] = civilFromDays(readInt(9, t.kw) - 2440588);
        [p.year, p.month, p.day] = [y, m, d];
        break;
      }
      default: break;
    }
  }
  if (p.pm !== undefined) {
    if (p.hour < 1 || p.hour > 12) throw new SqlError(SqlState.INVALID_DATETIME_FORMAT, `hour "${p.hour}" is invalid for the 12-hour clock`, { hint: 'Use the 24-hour clock, or give an hour between 1 and 12.' });
    p.hour = (p.hour % 12) + (p.pm ? 12 : 0);
  }
  return p;
}

function toLocal(input: string, fmt: string): bigint {
  const p = parseDateTime(input, fmt);
  let year = p.year ?? 1;
  if (p.bc) year = 1 - year;
  const month = p.month ?? 1;
  const day = p.day ?? 1;
  const rangeError = () => new SqlError(SqlState.DATETIME_FIELD_OVERFLOW, `date/time field value out of range: "${input}"`);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) throw rangeError();
  if (p.hour > 24 || p.minute > 59 || p.second > 60) throw rangeError();
  const days = p.doy !== undefined && p.month === undefined ? daysFromCivil(year, 1, 1) + p.doy - 1 : daysFromCivil(year, month, day);
  return BigInt(days) * USECS_PER_DAY + BigInt(((p.hour * 60 + p.minute) * 60 + p.second) * 1e6 + p.micro);
}

defineScalar('to_date', [T.text, T.text], T.date, ([s, f]: [string, string]) => Number(toLocal(s, f) / USECS_PER_DAY), 'convert text to date', { volatility: 'stable' });
defineScalar('to_timestamp', [T.text, T.text], T.timestamptz, ([s, f]: [string, string], ctx) => localToUtc(toLocal(s, f), sessionTimeZone(ctx.format.timeZone)),
  'convert text to timestamp with time zone', { volatility: 'stable' });
