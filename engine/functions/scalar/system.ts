/** Functions about the session and the server: version(), current_user, set_config, …. */
import { T } from '../../types/pg-type.js';
import { registerScalar } from '../registry.js';

export const SERVER_VERSION = '15.10';
export const LAKEGATE_VERSION = '0.1.0';
export const VERSION_STRING = `PostgreSQL ${SERVER_VERSION} (Lakegate ${LAKEGATE_VERSION}) on x86_64-pc-linux-gnu, compiled by Node.js, 64-bit`;

const session = (name: string, returns: typeof T.text, f: Parameters<typeof registerScalar>[0]['scalar'], description: string) =>
  registerScalar({ name, args: [], returns, volatility: 'stable', strict: false, scalar: f, description });

session('version', T.text, () => VERSION_STRING, 'PostgreSQL version string');
session('current_user', T.name, (_a, ctx) => ctx.session.user, 'user name of current execution context');
session('session_user', T.name, (_a, ctx) => ctx.session.user, 'session user name');
session('user', T.name, (_a, ctx) => ctx.session.user, 'user name of current execution context');
session('current_role', T.name, (_a, ctx) => ctx.session.user, 'current role');
session('current_database', T.name, (_a, ctx) => ctx.session.database, 'name of the current database');
session('current_catalog', T.name, (_a, ctx) => ctx.session.database, 'name of the current database');
session('current_schema', T.name, (_a, ctx) => ctx.session.currentSchema, 'current schema');

registerScalar({
  name: 'current_setting',
  args: [T.text],
  returns: T.text,
  volatility: 'stable',
  strict: true,
  scalar: ([name], ctx) => ctx.session.getSetting(name as string, false),
  description: 'value of a setting',
});
registerScalar({
  name: 'current_setting',
  args: [T.text, T.bool],
  returns: T.text,
  volatility: 'stable',
  strict: true,
  scalar: ([name, missingOk], ctx) => ctx.session.getSetting(name as string, missingOk as boolean),
  description: 'value of a setting, or NULL when missing_ok and it does not exist',
});
registerScalar({
  name: 'set_config',
  args: [T.text, T.text, T.bool],
  returns: T.text,
  volatility: 'volatile',
  strict: false,
  scalar: ([name, value, isLocal], ctx) => ctx.session.setSetting(name as string, (value as string | null) ?? '', (isLocal as boolean | null) ?? false),
  description: 'set a setting and return the new value',
});
registerScalar({
  name: 'pg_sleep',
  args: [T.float8],
  returns: T.void,
  volatility: 'volatile',
  strict: true,
  scalar: ([seconds], ctx) => {
    if (ctx.sleeps && (seconds as number) > 0) ctx.sleeps.ms += (seconds as number) * 1000;
    return '';
  },
  description: 'sleep for the specified time in seconds',
});
for (const [name, kind, description] of [
  ['pg_cancel_backend', 'cancel', 'cancel the running query of a session'],
  ['pg_terminate_backend', 'terminate', 'terminate a session'],
] as const) {
  registerScalar({
    name,
    args: [T.int4],
    returns: T.bool,
    volatility: 'volatile',
    strict: true,
    scalar: ([pid], ctx) => ctx.session.signalBackend(pid as number, kind),
    description,
  });
}

