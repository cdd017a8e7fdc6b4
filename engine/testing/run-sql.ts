/** Test helper: runs SQL through an engine session and renders rows as PostgreSQL text. */
import type { Connector } from '../../connectors/spi/index.js';
import type { AccessControl } from '../access/access-control.js';
import type { GroupProvider } from '../access/file-group-provider.js';
import type { Engine, EngineSession, Notice } from '../api.js';
import { datumAt } from '../execution/batch/vector.js';
import { formatText } from '../types/text-codec.js';
import { createEngine } from '../index.js';

export interface SqlResult {
  readonly columns: string[];
  readonly rows: (string | null)[][];
  readonly tag: string;
}

export interface TestSession {
  readonly session: EngineSession;
  readonly notices: Notice[];
  readonly parameterChanges: [string, string][];
  /** Runs every statement of `sql` (simple-query style) and returns the last result. */
  query(sql: string, params?: unknown[]): Promise<SqlResult>;
}

/**
 * `identity.groups` are the principal's groups; `identity.accessControl` the rules (default: allow
 * all). Each session has an engine of its own unless `identity.engine` names one to share (then
 * the sessions see each other, e.g. in pg_stat_activity, and `catalogs` and the rules are that engine's).
 */
export function openTestSession(
  catalogs: Map<string, Connector>, user = 'tester', database = 'lakegate',
  identity: { groups?: readonly string[]; accessControl?: AccessControl; groupProvider?: GroupProvider; engine?: Engine } = {},
): TestSession {
  const notices: Notice[] = [];
  const parameterChanges: [string, string][] = [];
  const engine = identity.engine ?? createEngine({
    catalogs,
    ...(identity.accessControl ? { accessControl: identity.accessControl } : {}),
    ...(identity.groupProvider ? { groupProvider: identity.groupProvider } : {}),
  });
  const session = engine.openSession({
    user,
    ...(identity.groups ? { groups: identity.groups } : {}),
    database,
    startupParameters: {},
    onParameterStatus: (n, v) => parameterChanges.push([n, v]),
    onNotice: (n) => notices.push(n),
  });
  return {
    session,
    notices,
    parameterChanges,
    async query(sql, params = []) {
      let last: SqlResult = { columns: [], rows: [], tag: '' };
      for (const statement of session.parse(sql)) {
        try {
          const prepared = await session.prepare(statement, []);
          const execution = session.execute(prepared, params, { signal: new AbortController().signal });
          const rows: (string | null)[][] = [];
          const format = session.formatSettings();
          for (let b = await execution.next(); b !== null; b = await execution.next()) {
            for (let i = 0; i < b.length; i++) {
              rows.push(b.columns.map((v) => {
                const d = datumAt(v, i);
                return d === null ? null : formatText(v.type, d, format);
              }));
            }
          }
          last = { columns: (prepared.columns ?? []).map((c) => c.name), rows, tag: execution.commandTag(rows.length) };
        } catch (e) {
          session.noteError();
          throw e;
        }
      }
      return last;
    },
  };
}
