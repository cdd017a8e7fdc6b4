import { randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

/** Something a CancelRequest can interrupt: the session's running statement, if any. */
export interface Cancellable {
  cancel(): void;
}

export interface CancelKey {
  readonly processId: number;
  readonly secretKey: number;
  /** Forgets the key (session ended). */
  release(): void;
}

/**
 * BackendKeyData issue and lookup. Keys are random 32-bit secrets per session, compared in
 * constant time; a wrong key or unknown process id is ignored without any reply.
 */
export class CancelRegistry {
  private readonly sessions = new Map<number, { secret: Buffer; target: Cancellable }>();

  register(target: Cancellable): CancelKey {
    let processId: number;
    do processId = randomInt(1, 0x7fffffff);
    while (this.sessions.has(processId));
    const secret = randomBytes(4);
    this.sessions.set(processId, { secret, target });
    return {
      processId,
      secretKey: secret.readInt32BE(0),
      release: () => {
        this.sessions.delete(processId);
      },
    };
  }

  /** Cancels the session's running statement when the key matches; true if it did. */
  cancel(processId: number, secretKey: number): boolean {
    const entry = this.sessions.get(processId);
    const given = Buffer.alloc(4);
    given.writeInt32BE(secretKey, 0);
    const expected = entry?.secret ?? randomBytes(4);
    if (!timingSafeEqual(given, expected) || entry === undefined) return false;
    entry.target.cancel();
    return true;
  }
}
