import { describe, expect, it } from 'vitest';
import { hashLine, renderInteger, renderReal, renderText, resultLines, sortValues } from './render.js';

describe('slt rendering', () => {
  it('renders I by truncating toward zero', () => {
    expect(renderInteger('12.9000', 1700)).toBe('12');
    expect(renderInteger('-12.5', 1700)).toBe('-12');
    expect(renderInteger('-0.5', 1700)).toBe('0');
    expect(renderInteger('007', 23)).toBe('7');
    expect(renderInteger('9223372036854775807', 20)).toBe('9223372036854775807');
    expect(renderInteger('1e+20', 701)).toBe('100000000000000000000');
    expect(renderInteger('t', 16)).toBe('1');
    expect(renderInteger('abc', 25)).toBe('0');
    expect(renderInteger('42abc', 25)).toBe('42');
  });
  it('renders R like %.3f with 16 significant digits', () => {
    expect(renderReal('2.5')).toBe('2.500');
    expect(renderReal('-0.3333333')).toBe('-0.333');
    expect(renderReal('-9223372036854775808')).toBe('-9223372036854776000.000');
    expect(renderReal('1234567890123.4567')).toBe('1234567890123.457');
  });
  it('renders T', () => {
    expect(renderText('')).toBe('(empty)');
    expect(renderText('a\tb')).toBe('a@b');
    expect(renderText('é')).toBe('@@');
  });
  it('sorts on rendered strings and hashes', () => {
    expect(sortValues([['9', 'a'], ['10', 'b']], 'rowsort')).toEqual(['10', 'b', '9', 'a']);
    expect(sortValues([['9', 'a'], ['10', 'b']], 'valuesort')).toEqual(['10', '9', 'a', 'b']);
    expect(hashLine(['1', '2'])).toBe('2 values hashing to 6ddb4095eb719e2a9f0a3f95677d24e0');
    expect(resultLines(['1', '2'], 1)).toEqual([hashLine(['1', '2'])]);
    expect(resultLines(['1', '2'], 0)).toEqual(['1', '2']);
  });
});
