/** The contract between the wire server and authentication methods. */
import type { Socket } from 'node:net';

/** What the client asked for in its StartupMessage. */
export interface StartupInfo {
  readonly user: string;
  /** The database named at startup; defaults to the user name, as in PostgreSQL. */
  readonly database: string;
  /** Every startup parameter other than user and database. */
  readonly parameters: ReadonlyMap<string, string>;
}

/** Who the client is, once authenticated; flows into every query (ARCHITECTURE.md §3.8). */
export interface Principal {
  readonly user: string;
  readonly groups: readonly string[];
}

/**
 * The authentication conversation on one connection. An auth method sends Authentication
 * requests (AuthenticationSASL = 10, SASLContinue = 11, SASLFinal = 12, cleartext = 3, …)
 * and reads the client's answers ('p' messages: PasswordMessage, SASLInitialResponse,
 * SASLResponse). The socket is a TLSSocket when TLS was negotiated (for channel binding).
 */
export interface AuthExchange {
  readonly socket: Socket;
  /** Sends an Authentication message with the given request code and payload, and flushes. */
  request(code: number, payload?: Uint8Array): void;
  /**
   * The body of the client's next 'p' message; any other message ends the connection with
   * FATAL 08P01 "expected <kind> response, got message type N" (kind defaults to 'password').
   */
  receive(kind?: 'password' | 'SASL'): Promise<Buffer>;
}

/**
 * The seam where authentication methods plug in (SCRAM, JWT/OAUTHBEARER live in auth/).
 * Resolves to the principal, or throws a SqlError (28000, 28P01) that ends the connection.
 */
export type Authenticator = (startup: StartupInfo, exchange: AuthExchange) => Promise<Principal>;

