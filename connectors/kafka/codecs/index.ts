/** The row codecs by data format (see codec.ts). */
import { AvroCodec } from './avro.js';
import type { CodecSpec, RowCodec } from './codec.js';
import { CsvCodec } from './csv.js';
import { JsonCodec } from './json.js';
import { RawCodec } from './raw.js';

export type { CodecSpec, DataFormat, FieldSpec, RowCodec } from './codec.js';
export { DATA_FORMATS } from './codec.js';

/** The codec a spec describes; throws F0000 when its fields do not suit the format. */
export function createCodec(spec: CodecSpec): RowCodec {
  switch (spec.dataFormat) {
    case 'raw': return new RawCodec(spec.fields);
    case 'csv': return new CsvCodec(spec.fields);
    case 'json': return new JsonCodec(spec.fields);
    case 'avro': return new AvroCodec(spec.fields, spec.schema);
  }
}
