// Expected offsets match PostgreSQL 15.18's TimeZone handling.
import { describe, expect, it } from 'vitest';
import { abbrevOffset, findTimeZone, localToUtc, numericAbbrev } from './timezone.js';

const us = (iso: string) => BigInt(Date.parse(iso)) * 1000n;

describe('time zones', () => {
  it('numbers are hours east, POSIX strings hours west', () => {
    expect(findTimeZone('+02')!.offsetAt(0n)).toBe(7200);
    expect(findTimeZone('-7')!.abbrevAt(0n)).toBe('-07');
    expect(findTimeZone('UTC+3')!.offsetAt(0n)).toBe(-10800);
    expect(findTimeZone('UTC+3')!.abbrevAt(0n)).toBe('UTC');
    expect(findTimeZone('Nowhere/Land')).toBeUndefined();
  });

  it('IANA zones with DST and LMT', () => {
    const ny = findTimeZone('America/New_York')!;
    expect(ny.offsetAt(us('2024-01-05T12:00:00Z'))).toBe(-18000);
    expect(ny.offsetAt(us('2024-07-05T12:00:00Z'))).toBe(-14400);
    expect(ny.offsetAt(us('1850-01-01T12:00:00Z'))).toBe(-17762);
    expect(ny.abbrevAt(us('2024-07-05T12:00:00Z'))).toBe('EDT');
  });

  it('local → UTC prefers the later instant in gaps and overlaps', () => {
    const ny = findTimeZone('America/New_York')!;
    expect(localToUtc(us('2024-03-10T02:30:00Z'), ny)).toBe(us('2024-03-10T07:30:00Z'));
    expect(localToUtc(us('2024-11-03T01:30:00Z'), ny)).toBe(us('2024-11-03T06:30:00Z'));
  });

  it('abbreviations', () => {
    expect(abbrevOffset('PST')).toBe(-28800);
    expect(abbrevOffset('cest')).toBe(7200);
    expect(numericAbbrev(37800)).toBe('+1030');
  });
});
