/**
 * An RFC 7662 token introspection endpoint for tests: node:http on 127.0.0.1, port 0. Each token
 * gets a scripted reply (unknown tokens are inactive); a request without the expected client
 * authentication (HTTP Basic, or client_id and client_secret in the form) gets 401. Every
 * request is recorded. `refusedReplies` lists the answers every introspecting method must refuse.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Reply {
  /** Default 200. */
  readonly status?: number;
  /** A string is sent as it is; anything else as JSON. */
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /** Answer only after this long. */
  readonly delayMs?: number;
}

export interface RecordedRequest {
  readonly authorization: string | undefined;
  readonly contentType: string | undefined;
  readonly form: URLSearchParams;
}

export interface Client {
  readonly id: string;
  readonly secret: string;
}

const readBody = async (req: IncomingMessage) => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

export class IntrospectionEndpoint {
  readonly requests: RecordedRequest[] = [];
  private readonly replies = new Map<string, Reply>();
  private readonly server: Server;

  private constructor(client: Client) {
    const basic = `Basic ${Buffer.from(`${encodeURIComponent(client.id)}:${encodeURIComponent(client.secret)}`).toString('base64')}`;
    this.server = createServer(async (req, res) => {
      const form = new URLSearchParams(await readBody(req));
      this.requests.push({ authorization: req.headers.authorization, contentType: req.headers['content-type'], form });
      const authenticated = req.headers.authorization === basic || (form.get('client_id') === client.id && form.get('client_secret') === client.secret);
      const reply: Reply = authenticated ? (this.replies.get(form.get('token') ?? '') ?? { body: { active: false } }) : { status: 401, body: { error: 'invalid_client' } };
      const send = () => {
        res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
        res.end(typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body ?? {}));
      };
      if (reply.delayMs) setTimeout(send, reply.delayMs).unref();
      else send();
    });
  }

  static async start(client: Client): Promise<IntrospectionEndpoint> {
    const endpoint = new IntrospectionEndpoint(client);
    await new Promise<void>((resolve) => endpoint.server.listen(0, '127.0.0.1', resolve));
    return endpoint;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/introspect`;
  }

  /** Scripts the reply for one token. */
  reply(token: string, reply: Reply): void {
    this.replies.set(token, reply);
  }

  /** A new opaque token this endpoint calls active with `claims`. */
  activeToken(claims: Readonly<Record<string, unknown>>): string {
    const token = opaqueToken();
    this.reply(token, { body: activeAnswer(claims) });
    return token;
  }

  /** How many requests asked about `token`. */
  hits(token: string): number {
    return this.requests.filter((r) => r.form.get('token') === token).length;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A new random opaque token (RFC 6750 b64token characters only). */
export const opaqueToken = () => randomBytes(24).toString('base64url');

/** An active answer valid for five more minutes, with `claims` on top. */
export function activeAnswer(claims: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return { active: true, token_type: 'Bearer', iat: now, exp: now + 300, ...claims };
}

/**
 * Answers that must refuse the sign-in, each with the reason the server log must show: `claims`
 * make an active answer that would be accepted, `timeoutMs` is the client's timeout.
 */
export function refusedReplies(claims: Readonly<Record<string, unknown>>, timeoutMs: number): ReadonlyArray<readonly [string, Reply, RegExp]> {
  const valid = activeAnswer(claims);
  const now = Math.floor(Date.now() / 1000);
  return [
    ['an inactive token', { body: { active: false } }, /: token is not active$/],
    ['an active answer past exp', { body: { ...valid, exp: now - 120 } }, /ERR_JWT_EXPIRED/],
    ['an answer without exp', { body: { ...valid, exp: undefined } }, /missing required "exp" claim/],
    ['another audience', { body: { ...valid, aud: ['someone-else'] } }, /unexpected "aud" claim value/],
    ['another issuer', { body: { ...valid, iss: 'https://evil.test' } }, /unexpected "iss" claim value/],
    ['active as the string "true"', { body: { ...valid, active: 'true' } }, /: token is not active$/],
    ['HTTP 500', { status: 500, body: { error: 'server_error' } }, /: introspection endpoint answered HTTP 500$/],
    ['a redirect', { status: 302, headers: { location: '/elsewhere' }, body: '' }, /: introspection request failed: unexpected redirect$/],
    ['no answer within the timeout', { delayMs: timeoutMs + 1500, body: valid }, new RegExp(`: introspection endpoint did not answer within ${timeoutMs} ms$`)],
    ['malformed JSON', { body: '{"active": true,' }, /: introspection response is not JSON$/],
    ['a JSON array', { body: '[{"active": true}]' }, /: introspection response is not a JSON object$/],
  ];
}
