/**
 * Message codes of PostgreSQL's frontend/backend protocol 3.0
 * (https://www.postgresql.org/docs/15/protocol-message-formats.html).
 */

/** First byte of a frontend (client → server) message once startup is done. */
export const enum FrontendCode {
  /** 'B' Bind: parameters for a prepared statement → a portal. */
  Bind = 0x42,
  /** 'C' Close a prepared statement or portal. */
  Close = 0x43,
  /** 'd' CopyData (only meaningful during COPY FROM STDIN; ignored otherwise). */
  CopyData = 0x64,
  /** 'c' CopyDone. */
  CopyDone = 0x63,
  /** 'f' CopyFail. */
  CopyFail = 0x66,
  /** 'D' Describe a prepared statement or portal. */
  Describe = 0x44,
  /** 'E' Execute a portal, optionally with a row limit. */
  Execute = 0x45,
  /** 'H' Flush: send pending output now. */
  Flush = 0x48,
  /** 'F' FunctionCall (fast-path function call). */
  FunctionCall = 0x46,
  /** 'P' Parse: create a prepared statement. */
  Parse = 0x50,
  /** 'p' PasswordMessage, SASLInitialResponse, SASLResponse, GSSResponse (the auth phase decides). */
  Password = 0x70,
  /** 'Q' Query: simple query protocol. */
  Query = 0x51,
  /** 'S' Sync: end of an extended-protocol batch. */
  Sync = 0x53,
  /** 'X' Terminate. */
  Terminate = 0x58,
}

/** First byte of a backend (server → client) message. */
export const enum BackendCode {
  /** 'R' AuthenticationOk and the other Authentication* requests. */
  Authentication = 0x52,
  /** 'K' BackendKeyData: process id + secret key for CancelRequest. */
  BackendKeyData = 0x4b,
  /** '2' BindComplete. */
  BindComplete = 0x32,
  /** '3' CloseComplete. */
  CloseComplete = 0x33,
  /** 'C' CommandComplete with the command tag. */
  CommandComplete = 0x43,
  /** 'd' CopyData. */
  CopyData = 0x64,
  /** 'c' CopyDone. */
  CopyDone = 0x63,
  /** 'H' CopyOutResponse. */
  CopyOutResponse = 0x48,
  /** 'D' DataRow. */
  DataRow = 0x44,
  /** 'I' EmptyQueryResponse. */
  EmptyQueryResponse = 0x49,
  /** 'E' ErrorResponse. */
  ErrorResponse = 0x45,
  /** 'v' NegotiateProtocolVersion. */
  NegotiateProtocolVersion = 0x76,
  /** 'n' NoData. */
  NoData = 0x6e,
  /** 'N' NoticeResponse. */
  NoticeResponse = 0x4e,
  /** 't' ParameterDescription. */
  ParameterDescription = 0x74,
  /** 'S' ParameterStatus. */
  ParameterStatus = 0x53,
  /** '1' ParseComplete. */
  ParseComplete = 0x31,
  /** 's' PortalSuspended: Execute stopped at its row limit. */
  PortalSuspended = 0x73,
  /** 'Z' ReadyForQuery with the transaction status. */
  ReadyForQuery = 0x5a,
  /** 'T' RowDescription. */
  RowDescription = 0x54,
}

/** The int32 after the length word of a startup-phase packet (which has no type byte). */
export const enum StartupCode {
  /** Protocol 3.0 StartupMessage: (3 << 16) | 0. Minor versions are in the low 16 bits. */
  Protocol3 = 196608,
  /** CancelRequest: 1234 << 16 | 5678. */
  CancelRequest = 80877102,
  /** SSLRequest: 1234 << 16 | 5679. */
  SSLRequest = 80877103,
  /** GSSENCRequest: 1234 << 16 | 5680. */
  GSSENCRequest = 80877104,
}

/** Single-byte answers to SSLRequest / GSSENCRequest (not framed messages). */
export const enum EncryptionResponse {
  Accept = 0x53, // 'S'
  Refuse = 0x4e, // 'N'
}

/**
 * Direct TLS (PostgreSQL 17, `sslnegotiation=direct`): the client opens with a TLS handshake
 * record (first byte 0x16) instead of SSLRequest, and must offer ALPN `postgresql`.
 */
export const TLS_HANDSHAKE_RECORD = 0x16;

/** Format codes in Bind, RowDescription and CopyOutResponse. */
export const enum FormatCode {
  Text = 0,
  Binary = 1,
}
