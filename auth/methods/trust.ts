import type { Authenticator } from '../authenticator.js';

/** Accepts everyone as the user they claim to be (PostgreSQL's `trust`). */
export const trustAuthenticator: Authenticator = async (startup) => ({ user: startup.user, groups: [] });
