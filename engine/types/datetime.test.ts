// Expected values were produced by PostgreSQL 15.18.
import { describe, expect, it } from 'vitest';
import * as dt from './datetime.js';
import { formatInterval, parseInterval } from './interval.js';
import { err } from './testing.js';

const iso = { dateStyle: 'ISO, MDY', timeZone: 'UTC' };
const ny = { dateStyle: 'ISO, MDY', timeZone: 'America/New_York' };
const ts = (s: string, settings = iso) => dt.formatTimestamp(dt.parseTimestamp(s, settings), settings.dateStyle);
const tstz = (s: string, settings = iso) => dt.formatTimestamptz(dt.parseTimestamptz(s, settings), settings);
const date = (s: string, settings = iso) => dt.formatDate(dt.parseDate(s, settings), settings.dateStyle);

describe('date_in / timestamp_in', () => {
  it('reads the common forms', () => {
    expect(ts('2024-01-05 24:00:00')).toBe('2024-01-06 00:00:00');
    expect(ts('2024-01-05 12:00:00.1234567')).toBe('2024-01-05 12:00:00.123457');
    expect(date('01/02/03')).toBe('2003-01-02');
    expect(date('01/02/99')).toBe('1999-01-02');
    expect(date('Jan 5 2024')).toBe('2024-01-05');
    expect(date('5 January 2024')).toBe('2024-01-05');
    expect(date('2024-Jan-05')).toBe('2024-01-05');
    expect(date('20240105')).toBe('2024-01-05');
    expect(date('10-Jan-99')).toBe('1999-01-10');
    expect(date('J2451187')).toBe('1999-01-08');
    expect(date('January 8, 99 BC')).toBe('0099-01-08 BC');
    expect(date('4714-11-24 BC')).toBe('4714-11-24 BC');
    expect(ts('epoch')).toBe('1970-01-01 00:00:00');
    expect(ts('2024-01-05T13:04:05Z')).toBe('2024-01-05 13:04:05');
    expect(ts('2024-01-05 1:04:05 pm')).toBe('2024-01-05 13:04:05');
    expect(ts('2024-01-05 12:00:00 am')).toBe('2024-01-05 00:00:00');
    expect(ts('Fri Jan 05 13:04:05.123 2024')).toBe('2024-01-05 13:04:05.123');
    expect(ts('2024-01-05 23:59:60')).toBe('2024-01-06 00:00:00');
    expect(ts('0044-03-15 BC 10:00')).toBe('0044-03-15 10:00:00 BC');
    expect(date('infinity')).toBe('infinity');
    expect(ts('-infinity')).toBe('-infinity');
  });

  it('applies DateStyle field order', () => {
    expect(date('05.01.2024')).toBe('2024-05-01');
    expect(date('05.01.2024', { dateStyle: 'ISO, DMY', timeZone: 'UTC' })).toBe('2024-01-05');
    expect(date('01/02/03', { dateStyle: 'ISO, DMY', timeZone: 'UTC' })).toBe('2003-02-01');
    expect(date('01/02/03', { dateStyle: 'ISO, YMD', timeZone: 'UTC' })).toBe('2001-02-03');
  });

  it('reads zones in timestamptz input', () => {
    expect(tstz('2024-01-05 13:04:05.5-05:30')).toBe('2024-01-05 18:34:05.5+00');
    expect(tstz('2024-01-05 13:04:05 America/New_York')).toBe('2024-01-05 18:04:05+00');
    expect(tstz('2024-01-05 13:04:05 PST')).toBe('2024-01-05 21:04:05+00');
    expect(tstz('2024-01-05 13:04:05+0530')).toBe('2024-01-05 07:34:05+00');
    expect(tstz('2024-01-05 13:04:05 +05:30:15')).toBe('2024-01-05 07:33:50+00');
    expect(tstz('1999-01-08 04:05:06 -8:00')).toBe('1999-01-08 12:05:06+00');
    expect(tstz('Fri Jul 05 09:04:05 2024 EDT')).toBe('2024-07-05 13:04:05+00');
  });

  it('resolves DST gaps and overlaps like PostgreSQL', () => {
    expect(tstz('2024-03-10 02:30', ny)).toBe('2024-03-10 03:30:00-04');
    expect(tstz('2024-11-03 01:30', ny)).toBe('2024-11-03 01:30:00-05');
  });

  it('reports errors with PostgreSQL texts', () => {
    const cases: [() => unknown, string, string, string?][] = [
      [() => dt.parseDate('2024-02-30', iso), '22008', 'date/time field value out of range: "2024-02-30"'],
      [() => dt.parseDate('13/02/2003', iso), '22008', 'date/time field value out of range: "13/02/2003"', 'Perhaps you need a different "datestyle" setting.'],
      [() => dt.parseDate('0000-01-01', iso), '22008', 'date/time field value out of range: "0000-01-01"'],
      [() => dt.parseDate('abc', iso), '22007', 'invalid input syntax for type date: "abc"'],
      [() => dt.parseDate('4714-11-23 BC', iso), '22008', 'date out of range: "4714-11-23 BC"'],
      [() => dt.parseTimestamp('2024-01-05 25:00', iso), '22008', 'date/time field value out of range: "2024-01-05 25:00"'],
      [() => dt.parseTimestamptz('2024-01-05 13:04:05 foo', iso), '22007', 'invalid input syntax for type timestamp with time zone: "2024-01-05 13:04:05 foo"'],
      [() => dt.parseTimestamp('294277-01-01', iso), '22008', 'timestamp out of range: "294277-01-01"'],
      [() => dt.parseTime('13:00 pm'), '22008', 'date/time field value out of range: "13:00 pm"'],
    ];
    for (const [f, code, message, hint] of cases) {
      const e = err(f);
      expect([e.code, e.message, e.hint]).toEqual([code, message, hint]);
    }
  });

  it('now/today use the given clock', () => {
    const now = dt.parseTimestamptz('2024-01-05 03:00:00+00', iso);
    expect(dt.formatDate(dt.parseDate('today', ny, now))).toBe('2024-01-04');
    expect(tstz('tomorrow', iso)).toMatch(/^\d{4}-\d\d-\d\d 00:00:00\+00$/);
    expect(dt.formatTimestamptz(dt.parseTimestamptz('now', iso, now), iso)).toBe('2024-01-05 03:00:00+00');
  });

  it('time_in', () => {
    expect(['2024-01-05 13:04:05.123456789', '13:04', '1:2:3', '12:00 am', '24:00', 'allballs', '04:05:06.789-8'].map((s) => dt.formatTime(dt.parseTime(s)))).toEqual([
      '13:04:05.123457', '13:04:00', '01:02:03', '00:00:00', '24:00:00', '00:00:00', '04:05:06.789',
    ]);
  });
});

describe('output styles and zones', () => {
  const samples = ['2024-01-05', '0044-03-15 BC', '2024-01-05 13:04:05.123', '2024-07-05 13:04:05+00', '1000-01-01 00:00:00'];
  const render = (dateStyle: string) => {
    const s = { dateStyle, timeZone: 'America/New_York' };
    return [
      dt.formatDate(dt.parseDate(samples[0]!, s), dateStyle),
      dt.formatDate(dt.parseDate(samples[1]!, s), dateStyle),
      dt.formatTimestamp(dt.parseTimestamp(samples[2]!, s), dateStyle),
      dt.formatTimestamptz(dt.parseTimestamptz(samples[3]!, s), s),
      dt.formatTimestamptz(dt.parseTimestamptz(samples[4]!, s), s),
    ];
  };
  it.each([
    ['ISO, MDY', ['2024-01-05', '0044-03-15 BC', '2024-01-05 13:04:05.123', '2024-07-05 09:04:05-04', '1000-01-01 00:00:00-04:56:02']],
    ['SQL, MDY', ['01/05/2024', '03/15/0044 BC', '01/05/2024 13:04:05.123', '07/05/2024 09:04:05 EDT', '01/01/1000 00:00:00 LMT']],
    ['SQL, DMY', ['05/01/2024', '15/03/0044 BC', '05/01/2024 13:04:05.123', '05/07/2024 09:04:05 EDT', '01/01/1000 00:00:00 LMT']],
    ['Postgres, MDY', ['01-05-2024', '03-15-0044 BC', 'Fri Jan 05 13:04:05.123 2024', 'Fri Jul 05 09:04:05 2024 EDT', 'Wed Jan 01 00:00:00 1000 LMT']],
    ['Postgres, DMY', ['05-01-2024', '15-03-0044 BC', 'Fri 05 Jan 13:04:05.123 2024', 'Fri 05 Jul 09:04:05 2024 EDT', 'Wed 01 Jan 00:00:00 1000 LMT']],
    ['German, DMY', ['05.01.2024', '15.03.0044 BC', '05.01.2024 13:04:05.123', '05.07.2024 09:04:05 EDT', '01.01.1000 00:00:00 LMT']],
  ])('%s', (style, expected) => expect(render(style)).toEqual(expected));

  it.each([
    ['Asia/Kolkata', '2024-01-05 17:30:00+05:30', '1850-01-01 17:53:28+05:53:28', '01/05/2024 17:30:00 IST'],
    ['+02', '2024-01-05 14:00:00+02', '1850-01-01 14:00:00+02', '01/05/2024 14:00:00 +02'],
    ['UTC+3', '2024-01-05 09:00:00-03', '1850-01-01 09:00:00-03', '01/05/2024 09:00:00 UTC'],
    ['-7', '2024-01-05 05:00:00-07', '1850-01-01 05:00:00-07', '01/05/2024 05:00:00 -07'],
    ['Europe/Berlin', '2024-01-05 13:00:00+01', '1850-01-01 12:53:28+00:53:28', '01/05/2024 13:00:00 CET'],
    ['Europe/London', '2024-01-05 12:00:00+00', '1850-01-01 12:00:00+00', '01/05/2024 12:00:00 GMT'],
    ['Australia/Lord_Howe', '2024-01-05 23:00:00+11', '1850-01-01 22:36:20+10:36:20', '01/05/2024 23:00:00 +11'],
  ])('TimeZone %s', (timeZone, a, b, sql) => {
    const s = { dateStyle: 'ISO, MDY', timeZone };
    expect(dt.formatTimestamptz(dt.parseTimestamptz('2024-01-05 12:00:00+00', s), s)).toBe(a);
    expect(dt.formatTimestamptz(dt.parseTimestamptz('1850-01-01 12:00+00', s), s)).toBe(b);
    expect(dt.formatTimestamptz(dt.parseTimestamptz('2024-01-05 12:00:00+00', s), { dateStyle: 'SQL, MDY', timeZone })).toBe(sql);
  });

  it('summer time', () => {
    const s = { dateStyle: 'Postgres, MDY', timeZone: 'Europe/London' };
    expect(dt.formatTimestamptz(dt.parseTimestamptz('2024-07-05 12:00:00+00', s), s)).toBe('Fri Jul 05 13:00:00 2024 BST');
    expect(() => dt.formatTimestamptz(0n, { dateStyle: 'ISO', timeZone: 'Mars/Base' })).toThrow('invalid value for parameter "TimeZone": "Mars/Base"');
  });
});

describe('arithmetic and conversions', () => {
  const t = (s: string) => dt.parseTimestamp(s, iso);
  const iv = (s: string) => parseInterval(s);
  it('timestamp - timestamp, date - date, ± interval', () => {
    expect(formatInterval(dt.subtractTimestamps(t('2024-01-05 12:00'), t('2024-01-01')))).toBe('4 days 12:00:00');
    expect(formatInterval(dt.subtractTimestamps(t('2024-01-01'), t('2024-01-05 12:00')))).toBe('-4 days -12:00:00');
    expect(formatInterval(dt.subtractTimestamps(t('2024-01-01 12:00'), t('2024-01-05 00:00')))).toBe('-3 days -12:00:00');
    expect(dt.dateDiff(dt.parseDate('2024-03-01', iso), dt.parseDate('2024-02-01', iso))).toBe(29);
    expect(dt.formatTimestamp(dt.addIntervalToTimestamp(dt.dateToTimestamp(dt.parseDate('2024-01-31', iso)), iv('1 month')))).toBe('2024-02-29 00:00:00');
    expect(dt.formatTimestamp(dt.addIntervalToTimestamp(t('2024-01-31 10:00'), iv('1 mon 1 day 1 hour')))).toBe('2024-03-01 11:00:00');
    expect(dt.formatDate(dt.addDays(dt.parseDate('2024-01-05', iso), 3))).toBe('2024-01-08');
    expect(dt.formatTimestamp(dt.subIntervalFromTimestamp(dt.dateToTimestamp(dt.parseDate('2024-01-05', iso)), iv('1 day')))).toBe('2024-01-04 00:00:00');
    expect(() => dt.subtractTimestamps(dt.TIMESTAMP_POS_INFINITY, 0n)).toThrow('cannot subtract infinite timestamps');
    expect(() => dt.dateDiff(dt.DATE_POS_INFINITY, 0)).toThrow('cannot subtract infinite dates');
    expect(() => dt.addDays(dt.parseDate('5874897-12-31', iso), 1)).toThrow('date out of range');
    expect(dt.addDays(dt.DATE_POS_INFINITY, 1)).toBe(dt.DATE_POS_INFINITY);
  });

  it('timestamptz + interval keeps the wall clock across DST for days', () => {
    const x = dt.parseTimestamptz('2024-03-09 12:00', ny);
    expect(dt.formatTimestamptz(dt.addIntervalToTimestamptz(x, iv('1 day'), ny.timeZone), ny)).toBe('2024-03-10 12:00:00-04');
    expect(dt.formatTimestamptz(dt.addIntervalToTimestamptz(x, iv('24 hours'), ny.timeZone), ny)).toBe('2024-03-10 13:00:00-04');
  });

  it('conversions use the session zone', () => {
    const z = ny.timeZone;
    expect(dt.formatTimestamptz(dt.dateToTimestamptz(dt.parseDate('2024-01-05', iso), z), ny)).toBe('2024-01-05 00:00:00-05');
    expect(dt.formatDate(dt.timestamptzToDate(dt.parseTimestamptz('2024-01-05 23:30-08', ny), z))).toBe('2024-01-06');
    expect(dt.formatTimestamptz(dt.timestampToTimestamptz(t('2024-01-05 23:30'), z), ny)).toBe('2024-01-05 23:30:00-05');
    expect(dt.formatTimestamp(dt.timestamptzToTimestamp(dt.parseTimestamptz('2024-01-05 23:30+00', ny), z))).toBe('2024-01-05 18:30:00');
    expect(dt.formatTime(dt.timestampToTime(t('2024-01-05 13:04:05.5')))).toBe('13:04:05.5');
  });
});

describe('extract and date_trunc', () => {
  const d = (s: string) => dt.parseDate(s, iso);
  const t = (s: string) => dt.parseTimestamp(s, iso);
  it('extract', () => {
    const x = (unit: string, v: number | bigint, kind: dt.DateTimeKind) => dt.extract(unit, v, kind)?.toString();
    expect(x('second', t('2024-01-05 13:04:05.123'), 'timestamp')).toBe('5.123000');
    expect(x('epoch', t('2024-01-05 13:04:05.123'), 'timestamp')).toBe('1704459845.123000');
    expect(x('microseconds', t('2024-01-05 13:04:05.123'), 'timestamp')).toBe('5123000');
    expect(x('year', d('2024-01-05'), 'date')).toBe('2024');
    expect(x('epoch', d('2024-01-05'), 'date')).toBe('1704412800');
    expect(x('dow', d('2024-01-07'), 'date')).toBe('0');
    expect(x('isodow', d('2024-01-07'), 'date')).toBe('7');
    expect(x('week', d('2024-12-30'), 'date')).toBe('1');
    expect(x('isoyear', d('2024-12-30'), 'date')).toBe('2025');
    expect(x('week', d('2021-01-01'), 'date')).toBe('53');
    expect(x('doy', d('2024-12-31'), 'date')).toBe('366');
    expect(x('quarter', d('2024-05-01'), 'date')).toBe('2');
    expect(x('julian', d('2024-01-05'), 'date')).toBe('2460315');
    expect(x('century', d('2000-01-01'), 'date')).toBe('20');
    expect(x('millennium', d('2001-01-01'), 'date')).toBe('3');
    expect(x('decade', d('2024-01-01'), 'date')).toBe('202');
    expect(x('year', d('0044-03-15 BC'), 'date')).toBe('-44');
    expect(x('century', d('0044-03-15 BC'), 'date')).toBe('-1');
    expect(x('decade', d('0044-03-15 BC'), 'date')).toBe('-5');
    expect(x('milliseconds', dt.parseTime('13:04:05.123'), 'time')).toBe('5123.000');
    expect(x('second', dt.parseTime('13:04:05.5'), 'time')).toBe('5.500000');
    expect(x('epoch', dt.parseTime('01:00'), 'time')).toBe('3600.000000');
    expect(x('epoch', dt.TIMESTAMP_POS_INFINITY, 'timestamp')).toBe('Infinity');
    expect(dt.extract('hour', dt.TIMESTAMP_POS_INFINITY, 'timestamp')).toBeNull();
    expect(() => dt.extract('hour', d('2024-01-05'), 'date')).toThrow('unit "hour" not supported for type date');
    expect(() => dt.extract('foo', 0n, 'timestamp')).toThrow('unit "foo" not recognized for type timestamp without time zone');
  });

  it('extract from interval', () => {
    const x = (unit: string, s: string) => dt.extract(unit, parseInterval(s), 'interval')?.toString();
    expect(x('epoch', '1 day 1 hour')).toBe('90000.000000');
    expect(x('epoch', '1 year 1 mon 1 day 00:00:00.5')).toBe('34236000.500000');
    expect(x('day', '40 days')).toBe('40');
    expect(x('month', '14 months')).toBe('2');
    expect(x('hour', '-25 hours')).toBe('-25');
  });

  it('date_trunc', () => {
    const tr = (unit: string, s: string) => dt.formatTimestamp(dt.dateTrunc(unit, t(s), 'timestamp'));
    expect(tr('week', '2024-01-05 13:04')).toBe('2024-01-01 00:00:00');
    expect(tr('quarter', '2024-05-05 13:04')).toBe('2024-04-01 00:00:00');
    expect(tr('millennium', '2024-01-01')).toBe('2001-01-01 00:00:00');
    expect(tr('milliseconds', '2024-01-01 00:00:00.123456')).toBe('2024-01-01 00:00:00.123');
    expect(tr('century', '0044-03-15 BC')).toBe('0100-01-01 00:00:00 BC');
    expect(tr('decade', '0044-03-15 BC')).toBe('0051-01-01 00:00:00 BC');
    const zoned = (unit: string, s: string, settings: dt.DateTimeSettings) =>
      dt.formatTimestamptz(dt.dateTrunc(unit, dt.parseTimestamptz(s, settings), 'timestamptz', settings.timeZone), settings);
    expect(zoned('day', '2024-03-10 12:00', ny)).toBe('2024-03-10 00:00:00-05');
    expect(zoned('hour', '2024-01-05 13:45:00+05:30', iso)).toBe('2024-01-05 08:00:00+00');
    expect(() => dt.dateTrunc('foo', 0n, 'timestamp')).toThrow('unit "foo" not recognized for type timestamp without time zone');
  });
});
