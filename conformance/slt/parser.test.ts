import { describe, expect, it } from 'vitest';
import { appliesTo, parseSlt } from './parser.js';

describe('slt parser', () => {
  it('parses records, conditions, comments and CRLF', () => {
    const text = 'hash-threshold 4\r\n\r\n# c\r\nskipif mysql # why\r\nquery IT rowsort lbl\r\nSELECT 1,\r\n# inner\r\n  2\r\n----\r\n1\r\n2\r\n\r\nstatement error 22003\r\nselect 1\r\n\r\nonlyif sqlite\r\nhalt\r\n';
    const [h, q, s, halt] = parseSlt(text);
    expect(h).toMatchObject({ kind: 'hash-threshold', threshold: 4 });
    expect(q).toMatchObject({ kind: 'query', types: 'IT', sort: 'rowsort', label: 'lbl', sql: 'SELECT 1,\n  2', expected: ['1', '2'], line: 4 });
    expect(s).toMatchObject({ kind: 'statement', expectError: true, sqlstate: '22003' });
    expect(appliesTo(q!, 'postgresql')).toBe(true);
    expect(appliesTo(q!, 'mysql')).toBe(false);
    expect(appliesTo(halt!, 'postgresql')).toBe(false);
  });
  it('a query without ---- expects no rows', () => {
    expect(parseSlt('query I\nselect 1 where false\n')[0]).toMatchObject({ expected: [], separator: -1 });
  });
});
