import { describe, expect, it } from 'vitest';
import { parseStatements } from './parse.js';

describe('parseStatements errors', () => {
  it('a syntax error is 42601 with a 1-based position', () => {
    expect(() => parseStatements('select from from')).toThrow(expect.objectContaining({ code: '42601', position: 13 }));
  });

  it('an escape that makes bytes which are not UTF-8 is 22021 without a position, as in PostgreSQL', () => {
    for (const sql of [String.raw`select E'\xff'`, String.raw`select E'\xc3\x28'`, String.raw`select E'\377'`]) {
      expect(() => parseStatements(sql), sql).toThrow(expect.objectContaining({ code: '22021', position: undefined, message: expect.stringMatching(/^invalid byte sequence for encoding "UTF8": 0x/) }));
    }
    // Unicode escape errors stay syntax errors, as PostgreSQL reports them.
    expect(() => parseStatements(String.raw`select U&'\d800'`)).toThrow(expect.objectContaining({ code: '42601' }));
  });
});
