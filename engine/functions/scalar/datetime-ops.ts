/**
 * Operators on dates, times, timestamps and intervals (+ - * / and unary minus), with
 * PostgreSQL's result types: date ± int4 → date, date - date → int4, date ± interval →
 * timestamp, date + time → timestamp, timestamp[tz] ± interval, timestamp[tz] - timestamp[tz]
 * → interval, time ± interval → time, interval arithmetic. Comparisons across date/timestamp/
 * timestamptz go through the implicit casts (comparison.ts registers same-type operators).
 */
import {
  addDays,
  addIntervalToTime,
  addIntervalToTimestamp,
  addIntervalToTimestamptz,
  dateDiff,
  dateToTimestamp,
  isInfiniteDate,
  subIntervalFromTimestamp,
  subIntervalFromTimestamptz,
  subtractTimestamps,
} from '../../types/datetime.js';
import {
  addIntervals,
  divideInterval,
  type Interval,
  interval,
  multiplyInterval,
  negateInterval,
  subIntervals,
} from '../../types/interval.js';
import { T, type PgType } from '../../types/pg-type.js';
import { mapBinary, mapUnary } from '../kernels.js';
import { registerScalar, type EvalContext } from '../registry.js';

type Body = (x: never, y: never, ctx: EvalContext) => unknown;

/** Registers `l op r → returns`, and with `commute` also `r op l` (arguments swapped). */
function op(name: string, l: PgType, r: PgType, returns: PgType, f: Body, description: string, commute = false): void {
  registerScalar({
    name,
    args: [l, r],
    returns,
    volatility: returns === T.timestamptz || l === T.timestamptz ? 'stable' : 'immutable',
    strict: true,
    vector: ([a, b], n, ctx) => mapBinary(returns, a!, b!, n, (x: never, y: never) => f(x, y, ctx)),
    description,
  });
  if (commute) op(name, r, l, returns, (y: never, x: never, ctx) => f(x, y, ctx), description);
}

const tz = (ctx: EvalContext) => ctx.format.timeZone;

/** date + time → timestamp (infinite dates stay infinite). */
function datePlusTime(d: number, t: bigint): bigint {
  const ts = dateToTimestamp(d);
  return isInfiniteDate(d) ? ts : ts + t;
}

op('+', T.date, T.int4, T.date, (d: number, n: number) => addDays(d, n), 'add days to date', true);
op('-', T.date, T.int4, T.date, (d: number, n: number) => addDays(d, -n), 'subtract days from date');
op('-', T.date, T.date, T.int4, (a: number, b: number) => dateDiff(a, b), 'number of days between dates');
op('+', T.date, T.interval, T.timestamp, (d: number, iv: Interval) => addIntervalToTimestamp(dateToTimestamp(d), iv), 'add interval to date', true);
op('-', T.date, T.interval, T.timestamp, (d: number, iv: Interval) => subIntervalFromTimestamp(dateToTimestamp(d), iv), 'subtract interval from date');
op('+', T.date, T.time, T.timestamp, (d: number, t: bigint) => datePlusTime(d, t), 'date plus time of day', true);

op('+', T.timestamp, T.interval, T.timestamp, (ts: bigint, iv: Interval) => addIntervalToTimestamp(ts, iv), 'add interval to timestamp', true);
op('-', T.timestamp, T.interval, T.timestamp, (ts: bigint, iv: Interval) => subIntervalFromTimestamp(ts, iv), 'subtract interval from timestamp');
op('-', T.timestamp, T.timestamp, T.interval, (a: bigint, b: bigint) => subtractTimestamps(a, b), 'difference of timestamps');
op('+', T.timestamptz, T.interval, T.timestamptz, (ts: bigint, iv: Interval, ctx) => addIntervalToTimestamptz(ts, iv, tz(ctx)), 'add interval to timestamp with time zone', true);
op('-', T.timestamptz, T.interval, T.timestamptz, (ts: bigint, iv: Interval, ctx) => subIntervalFromTimestamptz(ts, iv, tz(ctx)), 'subtract interval from timestamp with time zone');
op('-', T.timestamptz, T.timestamptz, T.interval, (a: bigint, b: bigint) => subtractTimestamps(a, b), 'difference of timestamps with time zone');

op('+', T.time, T.interval, T.time, (t: bigint, iv: Interval) => addIntervalToTime(t, iv), 'add interval to time', true);
op('-', T.time, T.interval, T.time, (t: bigint, iv: Interval) => addIntervalToTime(t, negateInterval(iv)), 'subtract interval from time');
op('-', T.time, T.time, T.interval, (a: bigint, b: bigint) => interval(0, 0, a - b), 'difference of times');

op('+', T.interval, T.interval, T.interval, (a: Interval, b: Interval) => addIntervals(a, b), 'add intervals');
op('-', T.interval, T.interval, T.interval, (a: Interval, b: Interval) => subIntervals(a, b), 'subtract intervals');
op('*', T.interval, T.float8, T.interval, (a: Interval, f: number) => multiplyInterval(a, f), 'multiply interval', true);
op('/', T.interval, T.float8, T.interval, (a: Interval, f: number) => divideInterval(a, f), 'divide interval');

registerScalar({
  name: '-',
  args: [T.interval],
  returns: T.interval,
  volatility: 'immutable',
  strict: true,
  vector: ([a], n) => mapUnary(T.interval, a!, n, (x: Interval) => negateInterval(x)),
  description: 'negate interval',
});

