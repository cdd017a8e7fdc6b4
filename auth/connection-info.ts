import type { Socket } from 'node:net';
import type { StartupInfo } from './authenticator.js';
import { normalizeAddress } from './hba.js';
import { isTls } from './scram/channel-binding.js';

/** `host "a", user "u", database "d", SSL encryption` as PostgreSQL words it in pg_hba errors. */
export const describeConnection = (startup: StartupInfo, socket: Socket) =>
  `host "${normalizeAddress(socket.remoteAddress ?? '')}", user "${startup.user}", database "${startup.database}", ${isTls(socket) ? 'SSL encryption' : 'no encryption'}`;
