/**
 * Who may use the operations server (issue 14, X-SEC-12): the bearer token of `TW_CONTROL_TOKEN` compared in constant
 * time over SHA-256 digests, and dashboard login sessions — random 32-byte ids in a bounded server-side map that
 * expire on the injected wall clock. Holds secrets only as digests or Redacted values; logs nothing.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Redacted } from 'effect';
import type { Clock } from '../kernel/Clock.ts';
import type { Secrets } from '../config/secrets.ts';
import { fingerprint } from '../config/secrets.ts';
import { parsePasswordHash, type PasswordHash } from './passwords.ts';

/** The name of the dashboard session cookie. */
export const SESSION_COOKIE = 'tw_session';

/** At most this many login sessions live at once; the oldest go first. */
const MAX_SESSIONS = 1_000;

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/** Returns whether two strings are equal, in time independent of where they differ (digests of equal length). */
export const constantTimeEquals = (a: string, b: string): boolean => timingSafeEqual(digest(a), digest(b));

/** The bearer token, as its digest and its public fingerprint. */
export interface BearerCheck {
  /** `api:<first 8 hex of sha256(token)>`: who the journal records for a control action made with the token. */
  readonly who: string;
  /** Returns whether an `Authorization` header carries the token. */
  matches(header: string | undefined): boolean;
}

/** Returns the bearer check of a token. */
export const bearerCheck = (token: Redacted.Redacted<string>): BearerCheck => {
  const expected = digest(Redacted.value(token));
  return {
    who: `api:${fingerprint(token).slice(0, 8)}`,
    matches: (header) => {
      const m = header === undefined ? null : /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
      return m !== null && timingSafeEqual(digest(m[1]!), expected);
    },
  };
};

/** The dashboard login's credentials, when both secrets are set. */
export interface LoginCredentials {
  readonly user: string;
  readonly hash: PasswordHash;
}

/** Reads the login credentials: undefined when either secret is absent (login disabled), a problem when malformed. */
export const loginCredentials = (secrets: Secrets | undefined): LoginCredentials | undefined | { readonly problem: string } => {
  const user = secrets?.get('TW_DASHBOARD_USER');
  const stored = secrets?.get('TW_DASHBOARD_PASSWORD_HASH');
  if (user === undefined || stored === undefined) return undefined;
  const hash = parsePasswordHash(Redacted.value(stored));
  if ('problem' in hash) return { problem: `TW_DASHBOARD_PASSWORD_HASH is not a usable scrypt hash: ${hash.problem}` };
  return { user: Redacted.value(user).trim(), hash };
};

/** One login session. */
interface LoginSession {
  readonly user: string;
  readonly expiresAt: number;
}

/** The server-side map of dashboard login sessions. */
export class SessionStore {
  private readonly sessions = new Map<string, LoginSession>();
  private readonly clock: Clock;
  private readonly ttlMs: number;

  constructor(clock: Clock, ttlMs: number) {
    this.clock = clock;
    this.ttlMs = ttlMs;
  }

  /** Opens a session for `user`; returns its id (43 base64url characters) and its expiry. */
  open(user: string): { readonly id: string; readonly expiresAt: number } {
    this.sweep();
    const id = randomBytes(32).toString('base64url');
    const expiresAt = this.clock.now() + this.ttlMs;
    this.sessions.set(id, { user, expiresAt });
    while (this.sessions.size > MAX_SESSIONS) {
      const oldest = this.sessions.keys().next();
      if (oldest.done === true) break;
      this.sessions.delete(oldest.value);
    }
    return { id, expiresAt };
  }

  /** Returns the user of a live session id, or undefined (unknown, expired, or not shaped like an id). */
  userOf(id: string | undefined): string | undefined {
    if (id === undefined || !/^[A-Za-z0-9_-]{43}$/.test(id)) return undefined;
    const s = this.sessions.get(id);
    if (s === undefined) return undefined;
    if (s.expiresAt <= this.clock.now()) {
      this.sessions.delete(id);
      return undefined;
    }
    return s.user;
  }

  /** Ends a session (logout); unknown ids are ignored. */
  close(id: string | undefined): void {
    if (id !== undefined) this.sessions.delete(id);
  }

  /** How many sessions are open. */
  size(): number {
    return this.sessions.size;
  }

  private sweep(): void {
    const now = this.clock.now();
    for (const [id, s] of this.sessions) if (s.expiresAt <= now) this.sessions.delete(id);
  }
}
