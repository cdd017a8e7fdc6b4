/**
 * The composition root and command line: `node dist/server/main.js [options]`.
 *
 *   --host H               listen address (LAKEGATE_HOST, default 127.0.0.1)
 *   --port N               PostgreSQL wire port (LAKEGATE_PORT, default 7432)
 *   --http-port N          HTTP health endpoint port, 0 disables (LAKEGATE_HTTP_PORT, default 7080)
 *   --tls-cert F --tls-key F  PEM certificate and key (LAKEGATE_TLS_CERT / LAKEGATE_TLS_KEY);
 *                          without them a self-signed certificate is generated at startup
 *   --tls-ca F             PEM CA file for client certificates (LAKEGATE_TLS_CA, PostgreSQL's ssl_ca_file):
 *                          clients are asked for a certificate; enables the hba method `cert` and clientcert=
 *   --no-tls               answer SSLRequest with 'N' (and close direct TLS handshakes)
 *   --max-message-bytes N  largest Query/Parse/Bind/CopyData message (LAKEGATE_MAX_MESSAGE_BYTES, default 64 MiB)
 *   --auth-timeout-ms N    authentication_timeout (LAKEGATE_AUTH_TIMEOUT_MS, default 60000)
 *   --auth-config F        sign-in configuration, JSON (LAKEGATE_AUTH_CONFIG); see auth/README.md
 *   --hba F                pg_hba-style rules (LAKEGATE_HBA)
 *   --passwords F          SCRAM-SHA-256 password file (LAKEGATE_PASSWORDS)
 *   --jwt-config F         JWT verification settings, JSON (LAKEGATE_JWT_CONFIG)
 *   --max-connections N    signed-in connections at most (LAKEGATE_MAX_CONNECTIONS; default unlimited)
 *                          With none of these, every client is trusted (zero-config, 127.0.0.1).
 *   --lake-root D          folder of the `lake` catalog (LAKEGATE_LAKE_ROOT, default ./data/lake)
 *   --catalog-dir D        NAME.properties catalog files, as Trino's etc/catalog (LAKEGATE_CATALOG_DIR,
 *                          default ./etc/catalog when it exists)
 *   --access-control-rules F  authorization rules, JSON in the style of Trino's rules.json
 *                          (LAKEGATE_ACCESS_CONTROL_RULES); without it everything is allowed. See docs/security.md
 *   --access-control-refresh-ms N  how often the rules file is checked for changes
 *                          (LAKEGATE_ACCESS_CONTROL_REFRESH_MS, default 1000)
 *   --group-file F         groups of users, `group:user1,user2` lines as Trino's file group provider
 *                          (LAKEGATE_GROUP_FILE; reloaded as the rules file is). See docs/security.md
 *   --resource-groups F    resource groups, JSON in the style of Trino's resource-groups.json
 *                          (LAKEGATE_RESOURCE_GROUPS); without it queries are not limited. See docs/security.md
 *   --resource-groups-refresh-ms N  how often that file is checked for changes
 *                          (LAKEGATE_RESOURCE_GROUPS_REFRESH_MS, default 1000)
 *
 * SIGTERM/SIGINT shut down gracefully (see RunningServer.close). SIGHUP reloads the sign-in
 * configuration (rules, passwords, JWT settings) and the TLS certificate, key and CA files;
 * connection limits keep their startup values.
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createDefaultCatalogs } from '../connectors/registry.js';
import { FileAccessControl, FileGroupProvider, FileResourceGroups, ResourceGroupManager, createEngine } from '../engine/index.js';
import { loadAuthSetup } from '../auth/config.js';
import { consoleLogger } from './log.js';
import { DEFAULT_MAX_MESSAGE_BYTES } from './protocol/frame-reader.js';
import { startServer } from './server.js';
import type { TlsSetting } from './tls/tls-context.js';

function integer(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${value}"`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      'http-port': { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      'tls-ca': { type: 'string' },
      'no-tls': { type: 'boolean' },
      'max-message-bytes': { type: 'string' },
      'auth-timeout-ms': { type: 'string' },
      'auth-config': { type: 'string' },
      hba: { type: 'string' },
      passwords: { type: 'string' },
      'jwt-config': { type: 'string' },
      'max-connections': { type: 'string' },
      'lake-root': { type: 'string' },
      'catalog-dir': { type: 'string' },
      'access-control-rules': { type: 'string' },
      'access-control-refresh-ms': { type: 'string' },
      'group-file': { type: 'string' },
      'resource-groups': { type: 'string' },
      'resource-groups-refresh-ms': { type: 'string' },
    },
  });
  const env = process.env;
  const certFile = values['tls-cert'] ?? env.LAKEGATE_TLS_CERT;
  const keyFile = values['tls-key'] ?? env.LAKEGATE_TLS_KEY;
  if ((certFile === undefined) !== (keyFile === undefined)) throw new Error('--tls-cert and --tls-key go together');
  const tls: TlsSetting = values['no-tls'] ? 'off' : certFile && keyFile ? { certFile, keyFile } : 'self-signed';
  const tlsClientCaFile = values['tls-ca'] ?? env.LAKEGATE_TLS_CA;
  if (tlsClientCaFile !== undefined && tls === 'off') throw new Error('--tls-ca needs TLS (drop --no-tls)');
  const host = values.host ?? env.LAKEGATE_HOST ?? '127.0.0.1';
  const maxConnections = values['max-connections'] ?? env.LAKEGATE_MAX_CONNECTIONS;
  const authSources = {
    configFile: values['auth-config'] ?? env.LAKEGATE_AUTH_CONFIG,
    hbaFile: values.hba ?? env.LAKEGATE_HBA,
    passwordFile: values.passwords ?? env.LAKEGATE_PASSWORDS,
    jwtConfigFile: values['jwt-config'] ?? env.LAKEGATE_JWT_CONFIG,
    maxConnections: maxConnections === undefined ? undefined : integer('--max-connections', maxConnections, 0),
    clientCertificates: tlsClientCaFile !== undefined,
  };
  const auth = loadAuthSetup(authSources, (message) => consoleLogger.warn(message));
  // SIGHUP reloads the rules, passwords and JWT settings, as PostgreSQL reloads pg_hba.conf; a
  // configuration that does not load is logged and the one in force stays.
  let authenticate = auth.authenticate;
  if (!auth.authenticate && !/^(127\.|::1$|localhost$)/.test(host)) {
    consoleLogger.warn(`no sign-in configured: every client reaching ${host} is trusted (see auth/README.md)`);
  }

  const rulesFile = values['access-control-rules'] ?? env.LAKEGATE_ACCESS_CONTROL_RULES;
  const accessControl = rulesFile
    ? new FileAccessControl({
      path: rulesFile,
      refreshMs: integer('--access-control-refresh-ms', values['access-control-refresh-ms'] ?? env.LAKEGATE_ACCESS_CONTROL_REFRESH_MS, 1000),
      log: (message) => consoleLogger.warn(message),
    })
    : undefined;

  const groupFile = values['group-file'] ?? env.LAKEGATE_GROUP_FILE;
  const groupProvider = groupFile
    ? new FileGroupProvider({
      path: groupFile,
      refreshMs: integer('--access-control-refresh-ms', values['access-control-refresh-ms'] ?? env.LAKEGATE_ACCESS_CONTROL_REFRESH_MS, 1000),
      log: (message) => consoleLogger.warn(message),
    })
    : undefined;

  const resourceGroupsFile = values['resource-groups'] ?? env.LAKEGATE_RESOURCE_GROUPS;
  const resourceGroups = resourceGroupsFile
    ? new FileResourceGroups({
      path: resourceGroupsFile,
      refreshMs: integer('--resource-groups-refresh-ms', values['resource-groups-refresh-ms'] ?? env.LAKEGATE_RESOURCE_GROUPS_REFRESH_MS, 1000),
      log: (message) => consoleLogger.warn(message),
    })
    : undefined;

  const server = await startServer({
    engine: createEngine({
      ...(accessControl ? { accessControl } : {}),
      ...(groupProvider ? { groupProvider } : {}),
      ...(resourceGroups ? { admission: new ResourceGroupManager(() => resourceGroups.config()) } : {}),
      catalogs: createDefaultCatalogs({
        lakeRoot: values['lake-root'] ?? env.LAKEGATE_LAKE_ROOT,
        catalogDir: values['catalog-dir'] ?? env.LAKEGATE_CATALOG_DIR ?? (existsSync('etc/catalog') ? 'etc/catalog' : undefined),
      }),
    }),
    host,
    port: integer('--port', values.port ?? env.LAKEGATE_PORT, 7432),
    httpPort: integer('--http-port', values['http-port'] ?? env.LAKEGATE_HTTP_PORT, 7080),
    tls,
    ...(tlsClientCaFile !== undefined ? { tlsClientCaFile } : {}),
    maxMessageBytes: integer('--max-message-bytes', values['max-message-bytes'] ?? env.LAKEGATE_MAX_MESSAGE_BYTES, DEFAULT_MAX_MESSAGE_BYTES),
    authenticationTimeoutMs: integer('--auth-timeout-ms', values['auth-timeout-ms'] ?? env.LAKEGATE_AUTH_TIMEOUT_MS, 60_000),
    ...(authenticate ? { authenticate: (startup, exchange) => authenticate!(startup, exchange) } : {}),
    connectionLimiter: auth.limiter,
    log: consoleLogger,
  });
  console.log(`Lakegate listening on ${host}:${server.port} (PostgreSQL wire)`);
  if (server.httpPort !== null) console.log(`Lakegate health on http://${host}:${server.httpPort}/health`);

  const shutdown = (signal: string) => {
    console.log(`${signal} received, shutting down`);
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  const reason = (err: unknown) => (err instanceof Error ? err.message : String(err));
  process.on('SIGHUP', () => {
    if (authenticate) {
      try {
        authenticate = loadAuthSetup(authSources, (message) => consoleLogger.warn(message)).authenticate ?? authenticate;
        console.log('SIGHUP received, sign-in configuration reloaded');
      } catch (err) {
        consoleLogger.warn(`SIGHUP received, sign-in configuration not reloaded: ${reason(err)}`);
      }
    }
    if (typeof tls === 'object') {
      server.reloadTls().then(
        () => console.log('SIGHUP received, TLS certificate files reloaded'),
        (err: unknown) => consoleLogger.warn(`SIGHUP received, TLS certificate files not reloaded: ${reason(err)}`),
      );
    }
  });
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
