#!/usr/bin/env node
/**
 * A local OIDC-style issuer and a gateway that trusts it, for the client suites' token sign-in
 * tests (jdbc/ JwtSignInTest, python/test_libpq_oauth.py). Run `npm run build` first.
 *
 *   node conformance/clients/oidc/issuer-gateway.mjs
 *
 * 1. Serves the issuer over HTTPS on a free port of 127.0.0.1 with a self-signed certificate
 *    made by `openssl` (libpq 18 accepts only https:// discovery URIs): the discovery document
 *    at /.well-known/openid-configuration (issuer, jwks_uri, …) and the JWKS (one RS256 key).
 * 2. Starts dist/server/main.js on a free port with JWT settings that find the keys through
 *    OIDC discovery ("discovery": true: the issuer's document names jwks_uri) and these rules:
 *      hostssl all jwt_user   127.0.0.1/32 jwt
 *      hostssl all oauth_user 127.0.0.1/32 oauth issuer="<issuer>" scope="openid lakegate"
 *      host    all scram_user,ghost 127.0.0.1/32 scram-sha-256   (a password file with scram_user only)
 *    and NODE_EXTRA_CA_CERTS set to the issuer's certificate, so the gateway fetches the
 *    document and the JWKS over verified TLS.
 * 3. Prints one JSON line on stdout: gateway port, issuer, discovery URI, scope, the issuer's
 *    certificate, the gateway's log file, scram_user's password, and per user the tokens
 *      valid, expired, wrongAudience, algNone (unsigned), unknownKey (a key not in the JWKS).
 * 4. Runs until stdin closes or SIGTERM/SIGINT, then stops the gateway and the issuer and removes
 *    its temporary directory. A client that dies therefore never leaves a gateway behind.
 */
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const MAIN = join(ROOT, 'dist/server/main.js');
const AUDIENCE = 'lakegate';
const SCOPE = 'openid lakegate';
const USERS = { jwt: 'jwt_user', oauth: 'oauth_user', scram: 'scram_user' };
const SCRAM_PASSWORD = 's3cret pw';

const work = mkdtempSync(join(tmpdir(), 'lakegate-oidc-'));
let gateway = null;
let issuerServer = null;
let stopping = false;

async function stop(code) {
  if (stopping) return;
  stopping = true;
  if (gateway && gateway.exitCode === null && gateway.signalCode === null) {
    gateway.kill('SIGTERM');
    const killer = setTimeout(() => gateway.kill('SIGKILL'), 5000);
    await once(gateway, 'exit');
    clearTimeout(killer);
  }
  issuerServer?.close();
  issuerServer?.closeAllConnections();
  rmSync(work, { recursive: true, force: true });
  process.exit(code);
}

function fail(message) {
  process.stderr.write(`issuer-gateway: ${message}\n`);
  void stop(2);
}

/** Resolves to the gateway's port once it logs `Lakegate listening on host:port`. */
function waitForListening(child, logFile) {
  return new Promise((res, rej) => {
    let out = '';
    const onData = (chunk) => {
      out += chunk;
      const m = /Lakegate listening on [^\s]+:(\d+) /.exec(out);
      if (m) {
        child.stdout.off('data', onData);
        res(Number(m[1]));
      }
    };
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', onData);
    child.once('exit', (code) => rej(new Error(`gateway exited with ${code} before listening; log ${logFile}:\n${out}${readFileSync(logFile, 'utf8')}`)));
  });
}

async function main() {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npm run build`);
  const certFile = join(work, 'issuer.crt');
  const keyFile = join(work, 'issuer.key');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' });
  const ca = readFileSync(certFile);

  const { privateKey: signingKey, publicKey } = await generateKeyPair('RS256');
  const { privateKey: unknownKey } = await generateKeyPair('RS256');
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'lakegate-test-1', alg: 'RS256', use: 'sig' }] };

  let issuer = '';
  issuerServer = createServer({ cert: ca, key: readFileSync(keyFile) }, (req, res) => {
    const documents = {
      '/.well-known/openid-configuration': {
        issuer,
        jwks_uri: `${issuer}/jwks.json`,
        token_endpoint: `${issuer}/token`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        scopes_supported: SCOPE.split(' '),
      },
      '/jwks.json': jwks,
    };
    const doc = req.method === 'GET' ? documents[req.url ?? ''] : undefined;
    res.writeHead(doc ? 200 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(doc ?? { error: 'not found' }));
  });
  issuerServer.listen(0, '127.0.0.1');
  await once(issuerServer, 'listening');
  issuer = `https://127.0.0.1:${issuerServer.address().port}`;
  const discovery = `${issuer}/.well-known/openid-configuration`;

  execFileSync(process.execPath, [join(ROOT, 'dist/auth/cli/add-user.js'), join(work, 'passwords'), USERS.scram], {
    env: { ...process.env, LAKEGATE_NEW_PASSWORD: SCRAM_PASSWORD }, stdio: 'ignore',
  });
  writeFileSync(join(work, 'hba.conf'), [
    `hostssl all ${USERS.jwt}   127.0.0.1/32 jwt`,
    `hostssl all ${USERS.oauth} 127.0.0.1/32 oauth issuer="${issuer}" scope="${SCOPE}"`,
    `host    all ${USERS.scram},ghost 127.0.0.1/32 scram-sha-256`,
    '',
  ].join('\n'));
  writeFileSync(join(work, 'auth.json'), JSON.stringify({
    hba: 'hba.conf',
    passwords: 'passwords',
    jwt: { issuer, audience: AUDIENCE, discovery: true, algorithms: ['RS256'] },
  }));
  const logFile = join(work, 'gateway.log');
  // only this file's settings: no LAKEGATE_* from the caller (test-all.sh exports the shared gateway's)
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('LAKEGATE_')));
  gateway = spawn(process.execPath, [MAIN, '--host', '127.0.0.1', '--port', '0', '--http-port', '0', '--auth-config', join(work, 'auth.json')], {
    cwd: ROOT,
    env: { ...env, NODE_EXTRA_CA_CERTS: certFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // the gateway's stdout and stderr both go to the log; stdout is also read for the port
  const log = (chunk) => appendFileSync(logFile, chunk);
  writeFileSync(logFile, '');
  gateway.stdout.on('data', log);
  gateway.stderr.on('data', log);
  const port = await waitForListening(gateway, logFile);
  gateway.on('exit', (code, signal) => { if (!stopping) fail(`gateway exited (${code ?? signal}); log:\n${readFileSync(logFile, 'utf8')}`); });

  const now = Math.floor(Date.now() / 1000);
  const sign = (sub, { key = signingKey, kid = 'lakegate-test-1', aud = AUDIENCE, iat = now, exp = now + 3600 } = {}) =>
    new SignJWT({ scope: SCOPE })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid })
      .setIssuer(issuer)
      .setAudience(aud)
      .setSubject(sub)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .sign(key);
  const b64url = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const tokensFor = async (sub) => ({
    valid: await sign(sub),
    expired: await sign(sub, { iat: now - 7200, exp: now - 3600 }),
    wrongAudience: await sign(sub, { aud: 'another-service' }),
    algNone: `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ iss: issuer, aud: AUDIENCE, sub, scope: SCOPE, iat: now, exp: now + 3600 })}.`,
    unknownKey: await sign(sub, { key: unknownKey, kid: 'lakegate-test-unknown' }),
  });

  process.stdout.write(`${JSON.stringify({
    host: '127.0.0.1',
    port,
    issuer,
    discovery,
    scope: SCOPE,
    audience: AUDIENCE,
    issuerCertificate: certFile,
    gatewayLog: logFile,
    users: USERS,
    scramPassword: SCRAM_PASSWORD,
    tokens: { [USERS.jwt]: await tokensFor(USERS.jwt), [USERS.oauth]: await tokensFor(USERS.oauth) },
  })}\n`);
}

process.on('SIGTERM', () => void stop(0));
process.on('SIGINT', () => void stop(0));
process.stdin.on('end', () => void stop(0));
process.stdin.on('error', () => void stop(0));
process.stdin.resume();
main().catch((err) => fail(err instanceof Error ? err.stack ?? err.message : String(err)));
