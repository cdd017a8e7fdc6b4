/**
 * The tpch connector: TPC-H data generated on the fly, identical to dbgen's output and to
 * Trino's tpch connector, in schemas `tiny` and `sf<N>`.
 */
import type { Batch } from '../../engine/execution/batch/batch.js';
import { SqlError, SqlState, internalError } from '../../engine/errors/index.js';
import type {
  Connector, ConnectorFactory, ConnectorOrigin, ConnectorSession, Json, RunsInWorkers, ScanRequest, Split, SplitRequest, StatisticsProvider,
  TableMetadata, TableStatistics,
} from '../spi/index.js';
import { LISTED_SCHEMAS, schemaScaleFactor, splitUnits } from './scale.js';
import { tpchStatistics } from './statistics.js';
import type { TableSpec } from './table.js';
import { TABLES } from './tables.js';
import { columnType, toVector } from './vectors.js';

/** What a table handle holds. */
interface TpchHandle {
  readonly schema: string;
  readonly table: string;
  readonly scaleFactor: number;
}

/** What a split holds: units [start, start + count) of the table. */
interface TpchSplit extends TpchHandle {
  readonly start: number;
  readonly count: number;
}

const TABLE_NAMES = [...TABLES.keys()].sort();

function resolve(handle: Json): { spec: TableSpec; sf: number; handle: TpchHandle } {
  const h = handle as Partial<TpchHandle> | null;
  const spec = h && typeof h.table === 'string' ? TABLES.get(h.table) : undefined;
  if (!spec || typeof h!.scaleFactor !== 'number' || !(h!.scaleFactor > 0)) {
    throw internalError(`invalid tpch table handle: ${JSON.stringify(handle)}`);
  }
  return { spec, sf: h!.scaleFactor, handle: h as TpchHandle };
}

export class TpchConnector implements Connector, StatisticsProvider, RunsInWorkers {
  /** Generated data needs nothing from this process: workers re-create the connector by name. */
  readonly origin: ConnectorOrigin;

  constructor(readonly name: string = 'tpch') {
    this.origin = { module: new URL('./connector.js', import.meta.url).href, factoryExport: 'tpchConnectorFactory', catalogName: name, properties: {} };
  }

  async listSchemas(_session: ConnectorSession): Promise<string[]> {
    return [...LISTED_SCHEMAS];
  }

  async listTables(_session: ConnectorSession, schema: string): Promise<string[]> {
    return schemaScaleFactor(schema) === undefined ? [] : [...TABLE_NAMES];
  }

  async getTable(_session: ConnectorSession, schema: string, table: string): Promise<TableMetadata | undefined> {
    const sf = schemaScaleFactor(schema);
    const spec = TABLES.get(table);
    if (sf === undefined || !spec) return undefined;
    const handle: TpchHandle = { schema, table, scaleFactor: sf };
    return {
      schema,
      name: table,
      columns: spec.columns.map((c) => ({ name: c.name, type: columnType(c, sf), nullable: false })),
      handle: { ...handle },
    };
  }

  async getSplits(_session: ConnectorSession, table: TableMetadata, request: SplitRequest): Promise<Split[]> {
    const { spec, sf, handle } = resolve(table.handle);
    return splitUnits(spec.unitCount(sf), request.desiredSplits).map((r) => {
      const info: TpchSplit = { schema: handle.schema, table: handle.table, scaleFactor: sf, start: r.start, count: r.count };
      return { info: { ...info } };
    });
  }

  async *scan(_session: ConnectorSession, request: ScanRequest): AsyncIterable<Batch> {
    const { spec, sf } = resolve(request.table.handle);
    const split = request.split.info as Partial<TpchSplit> | null;
    const total = spec.unitCount(sf);
    if (
      !split || split.table !== spec.name || split.scaleFactor !== sf ||
      !Number.isSafeInteger(split.start) || !Number.isSafeInteger(split.count) ||
      split.start! < 0 || split.count! < 0 || split.start! + split.count! > total
    ) {
      throw internalError(`invalid tpch split: ${JSON.stringify(request.split.info)}`);
    }
    for (const c of request.columns) {
      if (!Number.isInteger(c) || c < 0 || c >= spec.columns.length) {
        throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `tpch.${spec.name} has no column ${c}`);
      }
    }
    const types = request.columns.map((c) => request.table.columns[c]?.type ?? columnType(spec.columns[c]!, sf));
    const specs = request.columns.map((c) => spec.columns[c]!);
    if (request.signal.aborted) return;
    const source = spec.open(sf, split.start!, split.count!, request.columns);
    for (;;) {
      if (request.signal.aborted) return;
      const raw = source.next();
      if (raw === null) return;
      yield {
        length: raw.length,
        columns: raw.columns.map((data, i) => toVector(types[i]!, specs[i]!, data, raw.length)),
      };
    }
  }

  async getStatistics(_session: ConnectorSession, table: TableMetadata): Promise<TableStatistics> {
    const { spec, sf } = resolve(table.handle);
    return tpchStatistics(spec, sf);
  }
}

export function createTpchConnector(catalogName = 'tpch'): TpchConnector {
  return new TpchConnector(catalogName);
}

export const tpchConnectorFactory: ConnectorFactory = {
  name: 'tpch',
  create: (catalogName) => createTpchConnector(catalogName),
};
