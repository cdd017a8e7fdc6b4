// Expected values were produced by PostgreSQL 15.18.
import { describe, expect, it } from 'vitest';
import {
  addIntervals,
  compareIntervals,
  divideInterval,
  formatInterval,
  interval,
  justifyHours,
  multiplyInterval,
  negateInterval,
  parseInterval,
  subIntervals,
} from './interval.js';

const INPUTS = [
  '1 year 2 mons 3 days 04:05:06.5', '1 day 02:00:00', '-1 day', '90 days', '1.5 hours', 'P1Y2M', '1 day ago', '0',
  '-1 year -2 mons +3 days -04:05:06', '1 mon -1 day', '-00:00:01.5', '1 year -1 mon', '@ 1 minute ago', '1.5 months',
  'P1DT2H3M4.5S', 'PT0.000001S', '1 week', '2 decades 1 century 1 millennium', '10 ms', '1:2:3.25', '1 day -01:00',
  'P0001-02-03T04:05:06', '-1 days +02:03', '1-2', '-1 2:03:04', '5',
];

describe('interval_in / interval_out', () => {
  it('postgres style', () => {
    expect(INPUTS.map((s) => formatInterval(parseInterval(s)))).toEqual([
      '1 year 2 mons 3 days 04:05:06.5', '1 day 02:00:00', '-1 days', '90 days', '01:30:00', '1 year 2 mons', '-1 days', '00:00:00',
      '-1 years -2 mons +3 days -04:05:06', '1 mon -1 days', '-00:00:01.5', '11 mons', '-00:01:00', '1 mon 15 days',
      '1 day 02:03:04.5', '00:00:00.000001', '7 days', '1120 years', '00:00:00.01', '01:02:03.25', '1 day -01:00:00',
      '1 year 2 mons 3 days 04:05:06', '-1 days +02:03:00', '1 year 2 mons', '-1 days +02:03:04', '00:00:05',
    ]);
  });

  it('iso_8601 style', () => {
    expect(INPUTS.slice(0, 12).map((s) => formatInterval(parseInterval(s), 'iso_8601'))).toEqual([
      'P1Y2M3DT4H5M6.5S', 'P1DT2H', 'P-1D', 'P90D', 'PT1H30M', 'P1Y2M', 'P-1D', 'PT0S', 'P-1Y-2M3DT-4H-5M-6S', 'P1M-1D', 'PT-1.5S', 'P11M',
    ]);
  });

  it('sql_standard style (input signs propagate from a leading minus)', () => {
    expect(INPUTS.slice(0, 12).map((s) => formatInterval(parseInterval(s, 'sql_standard'), 'sql_standard'))).toEqual([
      '+1-2 +3 +4:05:06.5', '1 2:00:00', '-1 0:00:00', '90 0:00:00', '1:30:00', '1-2', '-1 0:00:00', '0', '-1-2 +3 -4:05:06',
      '+0-1 -1 +0:00:00', '-0:00:01.5', '0-11',
    ]);
    expect(formatInterval(parseInterval('-1 2:03:04', 'sql_standard'), 'sql_standard')).toBe('-1 2:03:04');
  });

  it('postgres_verbose style', () => {
    expect(INPUTS.slice(0, 12).map((s) => formatInterval(parseInterval(s), 'postgres_verbose'))).toEqual([
      '@ 1 year 2 mons 3 days 4 hours 5 mins 6.5 secs', '@ 1 day 2 hours', '@ 1 day ago', '@ 90 days', '@ 1 hour 30 mins',
      '@ 1 year 2 mons', '@ 1 day ago', '@ 0', '@ 1 year 2 mons -3 days 4 hours 5 mins 6 secs ago', '@ 1 mon -1 days',
      '@ 1.5 secs ago', '@ 11 mons',
    ]);
  });

  it('rejects bad input with 22007', () => {
    for (const bad of ['abc', '1 fortnight', '', 'P1X']) {
      expect(() => parseInterval(bad)).toThrow(`invalid input syntax for type interval: "${bad}"`);
    }
  });
});

describe('interval arithmetic', () => {
  const p = (s: string) => parseInterval(s);
  it('add / sub / negate', () => {
    expect(formatInterval(addIntervals(p('1 day 02:00:00'), p('1 mon')))).toBe('1 mon 1 day 02:00:00');
    expect(formatInterval(subIntervals(p('1 day'), p('2 hours')))).toBe('1 day -02:00:00');
    expect(formatInterval(negateInterval(p('1 mon -2 days 03:00')))).toBe('-1 mons +2 days -03:00:00');
  });

  it('multiply / divide cascade fractions like interval_mul', () => {
    expect(formatInterval(multiplyInterval(p('1 day'), 1.5))).toBe('1 day 12:00:00');
    expect(formatInterval(multiplyInterval(p('1 mon'), 0.5))).toBe('15 days');
    expect(formatInterval(multiplyInterval(p('1 hour'), 2.000001))).toBe('02:00:00.0036');
    expect(formatInterval(multiplyInterval(p('1 year'), 1.3333))).toBe('1 year 3 mons 29 days 23:42:43.2');
    expect(formatInterval(divideInterval(p('1 mon 1 day'), 3))).toBe('10 days 08:00:00');
    expect(() => divideInterval(p('1 day'), 0)).toThrow('division by zero');
  });

  it('compares with 30-day months and 24-hour days', () => {
    expect(compareIntervals(p('30 days'), p('1 mon'))).toBe(0);
    expect(compareIntervals(p('24 hours'), p('1 day'))).toBe(0);
    expect(compareIntervals(p('1 mon'), p('29 days 23:59:59'))).toBe(1);
    expect(compareIntervals(p('-1 day'), p('0'))).toBe(-1);
  });

  it('justifyHours moves whole days out of the time part', () => {
    expect(formatInterval(justifyHours(interval(0, 0, -302_400_000_000n)))).toBe('-3 days -12:00:00');
    expect(formatInterval(justifyHours(interval(0, 1, -3_600_000_000n)))).toBe('23:00:00');
  });
});
