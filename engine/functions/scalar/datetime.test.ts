import { describe, expect, it } from 'vitest';
import { check as checkCases, run, testContext, type Case } from '../testing.js';

/** Cases give arguments as text and PostgreSQL 15's output (session TimeZone UTC). */
const check = (cases: readonly Case[]) => checkCases(cases, (args) => args.join(', '));

describe('date/time operators', () => {
  it('match PostgreSQL', () => {
    check([
      ['+(date,int4)', ['2020-01-31', '1'], '2020-02-01'],
      ['+(int4,date)', ['5', '2020-02-28'], '2020-03-04'],
      ['-(date,int4)', ['2020-03-01', '1'], '2020-02-29'],
      ['-(date,date)', ['2020-03-01', '2019-03-01'], '366'],
      ['+(date,interval)', ['2020-01-31', '1 month'], '2020-02-29 00:00:00'],
      ['+(interval,date)', ['1 day', '2020-01-01'], '2020-01-02 00:00:00'],
      ['-(date,interval)', ['2020-03-31', '1 month'], '2020-02-29 00:00:00'],
      ['+(date,time)', ['2020-01-01', '10:30'], '2020-01-01 10:30:00'],
      ['+(timestamp,interval)', ['2020-01-31 10:00', '1 mon 2 days 03:00'], '2020-03-02 13:00:00'],
      ['+(timestamptz,interval)', ['2020-01-31 10:00+00', '1 mon'], '2020-02-29 10:00:00+00'],
      ['-(timestamptz,timestamptz)', ['2020-03-01 00:00+00', '2020-01-01 12:00+00'], '59 days 12:00:00'],
      ['-(timestamp,timestamp)', ['2020-03-01 00:00', '2020-01-01 12:00:00.5'], '59 days 11:59:59.5'],
      ['+(time,interval)', ['23:00', '2 hours'], '01:00:00'],
      ['-(time,interval)', ['01:00', '2 hours'], '23:00:00'],
      ['-(time,time)', ['10:00', '08:30'], '01:30:00'],
      ['*(interval,float8)', ['1 day', '1.5'], '1 day 12:00:00'],
      ['/(interval,float8)', ['1 mon', '3'], '10 days'],
      ['-(interval)', ['1 day 2 hours'], '-1 days -02:00:00'],
    ]);
    expect(() => run('-(date,date)', ['infinity', '2020-01-01'])).toThrow('cannot subtract infinite dates');
    expect(() => run('+(date,int4)', ['5874897-12-31', '1'])).toThrow('date out of range');
  });
});

describe('date/time functions', () => {
  it('extract, date_part, date_trunc', () => {
    check([
      ['extract(text,date)', ['year', '2020-05-17'], '2020'],
      ['extract(text,timestamp)', ['second', '2020-05-17 10:11:12.5'], '12.500000'],
      ['extract(text,timestamptz)', ['epoch', '2020-05-17 10:11:12.5+02'], '1589703072.500000'],
      ['extract(text,date)', ['week', '2020-01-01'], '1'],
      ['extract(text,interval)', ['epoch', '1 day 2 hours'], '93600.000000'],
      ['date_part(text,date)', ['hour', '2020-05-17'], '0'],
      ['date_part(text,timestamp)', ['second', '2020-05-17 10:11:12.5'], '12.5'],
      ['date_part(text,interval)', ['epoch', '1 mon'], '2592000'],
      ['date_trunc(text,timestamp)', ['month', '2020-05-17 10:11:12'], '2020-05-01 00:00:00'],
      ['date_trunc(text,timestamptz)', ['week', '2020-05-17 10:11:12+00'], '2020-05-11 00:00:00+00'],
      ['date_trunc(text,interval)', ['hour', '1 day 10:11:12'], '1 day 10:00:00'],
      ['date_trunc(text,interval)', ['year', '14 mons 3 days'], '1 year'],
      ['date_trunc(text,timestamptz,text)', ['day', '2020-05-17 10:11:12+00', 'Asia/Tokyo'], '2020-05-16 15:00:00+00'],
    ]);
    expect(() => run('extract(text,date)', ['hour', '2020-05-17'])).toThrow('unit "hour" not supported for type date');
    expect(() => run('extract(text,date)', ['foo', '2020-05-17'])).toThrow('unit "foo" not recognized for type date');
  });
  it('age, make_*, justify_*, timezone, isfinite, to_timestamp', () => {
    check([
      ['age(timestamp,timestamp)', ['2020-03-31', '2020-02-29 10:00'], '1 mon 1 day 14:00:00'],
      ['age(timestamp,timestamp)', ['2020-01-31', '2020-03-01'], '-1 mons -1 days'],
      ['age(timestamptz,timestamptz)', ['2021-01-01 00:00+00', '2020-06-15 12:00+05'], '6 mons 15 days 17:00:00'],
      ['make_date(int4,int4,int4)', ['-44', '3', '15'], '0044-03-15 BC'],
      ['make_timestamp(int4,int4,int4,int4,int4,float8)', ['2020', '1', '2', '3', '4', '5.5'], '2020-01-02 03:04:05.5'],
      ['make_interval(int4,int4,int4,int4,int4,int4,float8)', ['1', '2', '3', '4', '5', '6', '7.5'], '1 year 2 mons 25 days 05:06:07.5'],
      ['justify_days(interval)', ['35 days'], '1 mon 5 days'],
      ['justify_hours(interval)', ['27 hours'], '1 day 03:00:00'],
      ['justify_interval(interval)', ['1 mon -1 hour'], '29 days 23:00:00'],
      ['justify_days(interval)', ['-35 days 1 mon'], '-5 days'],
      ['timezone(text,timestamp)', ['Asia/Tokyo', '2020-01-01 00:00'], '2019-12-31 15:00:00+00'],
      ['timezone(text,timestamptz)', ['EST', '2020-01-01 00:00+00'], '2019-12-31 19:00:00'],
      ['timezone(interval,timestamptz)', ['02:00', '2020-01-01 00:00+00'], '2020-01-01 02:00:00'],
      ['timezone(text,timestamptz)', ['Europe/Paris', '2020-07-01 12:00+00'], '2020-07-01 14:00:00'],
      ['isfinite(date)', ['infinity'], 'f'],
      ['to_timestamp(float8)', ['1589712345.5'], '2020-05-17 10:45:45.5+00'],
    ]);
    expect(() => run('make_date(int4,int4,int4)', ['2021', '2', '29'])).toThrow('date field value out of range: 2021-02-29');
    expect(() => run('make_timestamp(int4,int4,int4,int4,int4,float8)', ['2020', '1', '2', '25', '4', '5.5'])).toThrow('time field value out of range: 25:04:5.5');
    expect(() => run('timezone(text,timestamp)', ['Mars', '2020-01-01'])).toThrow('time zone "Mars" not recognized');
    expect(() => run('to_timestamp(float8)', ['1e20'])).toThrow('timestamp out of range: "1e+20"');
  });
  it('now() is the transaction start', () => {
    const ctx = testContext({}, { transactionStart: 1_589_712_345_500_000n });
    expect(run('now()', [], ctx)).toBe('2020-05-17 10:45:45.5+00');
    expect(run('current_date()', [], testContext({ timeZone: 'Asia/Tokyo' }, { transactionStart: 1_589_750_000_000_000n }))).toBe('2020-05-18');
    expect(run('localtimestamp()', [], ctx)).toBe('2020-05-17 10:45:45.5');
  });
});
