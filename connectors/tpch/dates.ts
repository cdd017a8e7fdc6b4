/**
 * dbgen's dates. Generated dates are day numbers counting from 92001 = 1992-01-01 (dbgen's
 * STARTDATE); a "julian" form yyddd drives the one date rule, "is this date in the past",
 * i.e. on or before CURRENTDATE 1995-06-17.
 */

/** 1992-01-01 as a generated day number. */
export const MIN_GENERATE_DATE = 92001;
/** Days in the generated date range (1992-01-01 … 1998-12-31). */
export const TOTAL_DATE_RANGE = 2557;
/** Generated day number − this = days since 1970-01-01. */
const EPOCH_OFFSET = 83966;
/** dbgen's CURRENTDATE in yyddd form (1995-06-17). */
const CURRENT_DATE = 95168;

const isLeapYear = (year: number): boolean => year % 4 === 0 && year % 100 !== 0;

/** dbgen's julian(): a generated day number as yyddd. */
function julian(date: number): number {
  let offset = date - MIN_GENERATE_DATE;
  let result = MIN_GENERATE_DATE;
  for (;;) {
    const year = Math.floor(result / 1000);
    const yearEnd = year * 1000 + 365 + (isLeapYear(year) ? 1 : 0);
    if (result + offset <= yearEnd) break;
    offset -= yearEnd - result + 1;
    result += 1000;
  }
  return result + offset;
}

/** The last generated day number that is "in the past" (julian(d) ≤ CURRENTDATE). */
export const LAST_PAST_DATE: number = (() => {
  let d = MIN_GENERATE_DATE;
  while (julian(d + 1) <= CURRENT_DATE) d++;
  return d;
})();

/** Days since 1970-01-01 of a generated day number. */
export const toEpochDay = (generated: number): number => generated - EPOCH_OFFSET;

/** 'YYYY-MM-DD' of days since 1970-01-01 (for tests and debugging). */
export function formatEpochDay(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}
