import { SqlError, SqlState } from '../../../engine/errors/index.js';

/** A file that does not follow the Parquet format (XX001 data_corrupted). */
export const corrupt = (message: string): SqlError => new SqlError(SqlState.DATA_CORRUPTED, `invalid Parquet file: ${message}`);

/** A Parquet feature this reader does not implement (0A000). */
export const unsupported = (what: string): SqlError => new SqlError(SqlState.FEATURE_NOT_SUPPORTED, `Parquet ${what} is not supported`);
