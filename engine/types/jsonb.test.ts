// Expected values were produced by PostgreSQL 15.18.
import { describe, expect, it } from 'vitest';
import { normalizeJsonb, validateJson } from './jsonb.js';

describe('jsonb normalisation', () => {
  it('orders keys by length then bytes, last duplicate wins, numbers as numeric', () => {
    expect(normalizeJsonb('{"b":[1,2],"a":1, "aa":{"x":1.50e0,"c":"t\\"\\\\\\n\\u0001é\\u00e9"}, "a":2, "":null, "B":true}')).toBe(
      '{"": null, "B": true, "a": 2, "b": [1, 2], "aa": {"c": "t\\"\\\\\\n\\u0001éé", "x": 1.50}}',
    );
    expect(normalizeJsonb('[]')).toBe('[]');
    expect(normalizeJsonb(' 1e2 ')).toBe('100');
    expect(normalizeJsonb('[1, [], {}, -0.0, 1E-3]')).toBe('[1, [], {}, 0.0, 0.001]');
  });

  it('rejects invalid JSON like PostgreSQL', () => {
    expect(() => validateJson('{"a":1}x')).toThrow('invalid input syntax for type json');
    expect(() => validateJson('{"a" 1}')).toThrow('invalid input syntax for type json');
    expect(() => validateJson('[1,')).toThrow('invalid input syntax for type json');
    expect(() => validateJson('TRUE')).toThrow('invalid input syntax for type json');
    expect(() => normalizeJsonb('"\\u0000"')).toThrow('unsupported Unicode escape sequence');
    expect(validateJson('"\\u0000"')).toBe('"\\u0000"');
  });
});
