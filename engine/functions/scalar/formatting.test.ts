import { describe, expect, it } from 'vitest';
import { run } from '../testing.js';

describe('to_char and friends (expected values from PostgreSQL 15)', () => {
  it('numbers', () => {
    const cases: [string, string, string, string][] = [
      ['int4', '12', '999', '  12'], ['int4', '-12', '999', ' -12'], ['numeric', '1234.567', '9,999.99', ' 1,234.57'],
      ['numeric', '1234.567', 'FM9,999.99', '1,234.57'], ['numeric', '0.5', '0.99', ' 0.50'], ['numeric', '0.5', '9.99', '  .50'],
      ['int4', '12345', '999', ' ###'], ['numeric', '-12.5', 'S999.9', ' -12.5'], ['numeric', '-12.5', '999.9PR', ' <12.5>'],
      ['numeric', '12.5', '999.9PR', '  12.5 '], ['int4', '5', '009', ' 005'], ['numeric', '1.5', 'FM999.000', '1.500'],
      ['numeric', '1.5', 'FM999.999', '1.5'], ['numeric', '-0.1', 'FM9.9', '-.1'], ['int4', '1234', '9G999D99', ' 1,234.00'],
      ['int4', '12', 'FM999MI', '12'], ['int4', '-12', '999MI', ' 12-'], ['float8', '3.14159', '9.999', ' 3.142'], ['int4', '100', 'FM999', '100'],
      ['int4', '0', '999', '   0'], ['int4', '0', 'FM999', '0'], ['int4', '0', 'FM990.00', '0.00'], ['int4', '485', '9 9 9', ' 4 8 5'],
      ['int4', '12', 'FM9.99', '#.##'], ['int4', '-5', 'FM999', '-5'], ['int4', '5', 'SG999', '+  5'], ['int4', '1', '99th', '  1st'],
    ];
    for (const [type, v, f, expected] of cases) expect(run(`to_char(${type},text)`, [v, f]), `to_char(${v}, '${f}')`).toBe(expected);
  });
  it('dates and times', () => {
    const cases: [string, string, string, string][] = [
      ['timestamp', '2020-05-07 13:04:05.123456', 'YYYY-MM-DD HH24:MI:SS.MS.US', '2020-05-07 13:04:05.123.123456'],
      ['timestamp', '2020-05-07 13:04:05', 'Day, DD Month YYYY HH12:MI AM', 'Thursday , 07 May       2020 01:04 PM'],
      ['timestamp', '2020-05-07 03:04:05', 'FMDay, FMDD FMMonth YY hh12 pm', 'Thursday, 7 May 20 03 am'],
      ['date', '2020-05-07', 'Mon MON mon DY dy D DDD Q WW IW IYYY J', 'May MAY may THU thu 5 128 2 19 19 2020 2458977'],
      ['date', '2020-05-01', 'DDth FMDDTH "day"', '01st 1ST day'],
      ['timestamptz', '2020-05-07 13:04:05+00', 'YYYY TZ tz OF', '2020 UTC utc +00'],
      ['interval', '1 day 02:03:04', 'DD HH24:MI:SS', '01 02:03:04'],
      ['timestamp', '2020-05-07 00:04:05', 'HH HH12 A.M. a.m.', '12 12 A.M. a.m.'],
    ];
    for (const [type, v, f, expected] of cases) expect(run(`to_char(${type},text)`, [v, f]), `to_char(${v}, '${f}')`).toBe(expected);
  });
  it('to_date and to_timestamp', () => {
    expect(run('to_date(text,text)', ['05 Jan 2020', 'DD Mon YYYY'])).toBe('2020-01-05');
    expect(run('to_date(text,text)', ['20200507', 'YYYYMMDD'])).toBe('2020-05-07');
    expect(run('to_timestamp(text,text)', ['2020-05-07 13:04:05', 'YYYY-MM-DD HH24:MI:SS'])).toBe('2020-05-07 13:04:05+00');
    expect(run('to_timestamp(text,text)', ['07/05/2020 1:04 PM', 'DD/MM/YYYY HH12:MI AM'])).toBe('2020-05-07 13:04:00+00');
    expect(() => run('to_date(text,text)', ['2020-13-01', 'YYYY-MM-DD'])).toThrow('date/time field value out of range: "2020-13-01"');
  });
});
