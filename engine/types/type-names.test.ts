import { describe, expect, it } from 'vitest';
import { formatType, T } from './pg-type.js';
import { parseTypeText } from './type-names.js';

describe('parseTypeText', () => {
  it('reads back what format_type prints', () => {
    for (const text of [
      'integer', 'bigint', 'smallint', 'numeric(15,2)', 'numeric', 'character(1)', 'character varying(25)', 'character varying',
      'text', 'date', 'timestamp without time zone', 'timestamp with time zone', 'time without time zone', 'double precision',
      'real', 'boolean', 'bytea', 'uuid', 'json', 'jsonb', 'interval', 'integer[]', 'text[]', 'numeric(10,3)[]', '"char"',
    ]) expect(formatType(parseTypeText(text))).toBe(text);
  });
  it('accepts SQL spellings', () => {
    expect(parseTypeText('INT')).toEqual(T.int4);
    expect(formatType(parseTypeText('varchar(10)'))).toBe('character varying(10)');
    expect(formatType(parseTypeText('timestamp(3) with time zone'))).toBe('timestamp with time zone');
    expect(parseTypeText('timestamptz').name).toBe('timestamptz');
  });
  it('rejects unknown names with 42704', () => {
    expect(() => parseTypeText('geometry')).toThrow(expect.objectContaining({ code: '42704' }));
    expect(() => parseTypeText('time with time zone')).toThrow(expect.objectContaining({ code: '42704' }));
  });
});
