/**
 * Dashboard password hashes (issue 14, S2 login): scrypt from node:crypto in the self-describing format
 * `scrypt$<N>$<r>$<p>$<salt b64>$<hash b64>`, and their constant-time verification. Never logs or returns a password.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** The parameters and bytes of one stored hash. */
export interface PasswordHash {
  readonly N: number;
  readonly r: number;
  readonly p: number;
  readonly salt: Buffer;
  readonly hash: Buffer;
}

/** The cost of new hashes: N = 2^15, r = 8, p = 1 (32 MiB, about 50–100 ms on one core), a 32-byte key. */
const DEFAULTS = { N: 2 ** 15, r: 8, p: 1, keyLength: 32, saltLength: 16 } as const;

const B64 = /^[A-Za-z0-9+/]+={0,2}$/;

const derive = (password: string, salt: Buffer, keyLength: number, params: { readonly N: number; readonly r: number; readonly p: number }): Promise<Buffer> => {
  // scrypt needs 128·N·r bytes; the default ceiling (32 MiB) is exactly the default cost's need, so give it room.
  const options: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r };
  return new Promise((resolve, reject) => scrypt(password.normalize('NFC'), salt, keyLength, options, (e, key) => (e === null ? resolve(key) : reject(e))));
};

/**
 * Returns the stored hash's parts, or a sentence saying what is wrong with it (the format, a cost outside
 * N = 2^10..2^20, r 1..32, p 1..16, a salt under 16 bytes or a hash outside 16..64 bytes).
 */
export const parsePasswordHash = (text: string): PasswordHash | { readonly problem: string } => {
  const parts = text.trim().split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return { problem: 'expected scrypt$<N>$<r>$<p>$<salt base64>$<hash base64>' };
  const [, nText, rText, pText, saltText, hashText] = parts as [string, string, string, string, string, string];
  const int = (s: string): number => (/^\d{1,8}$/.test(s) ? Number(s) : NaN);
  const N = int(nText);
  const r = int(rText);
  const p = int(pText);
  if (!(N >= 2 ** 10 && N <= 2 ** 20 && (N & (N - 1)) === 0)) return { problem: `N must be a power of two from 1024 to 1048576 (got ${nText})` };
  if (!(r >= 1 && r <= 32)) return { problem: `r must be 1..32 (got ${rText})` };
  if (!(p >= 1 && p <= 16)) return { problem: `p must be 1..16 (got ${pText})` };
  if (!B64.test(saltText) || !B64.test(hashText)) return { problem: 'salt and hash must be base64' };
  const salt = Buffer.from(saltText, 'base64');
  const hash = Buffer.from(hashText, 'base64');
  if (salt.length < 16) return { problem: `the salt must be at least 16 bytes (got ${salt.length})` };
  if (hash.length < 16 || hash.length > 64) return { problem: `the hash must be 16..64 bytes (got ${hash.length})` };
  return { N, r, p, salt, hash };
};

/** Returns the scrypt hash of a password in the stored format; a random 16-byte salt unless one is given. */
export const hashPassword = async (password: string, salt: Buffer = randomBytes(DEFAULTS.saltLength)): Promise<string> => {
  if (salt.length < 16) throw new RangeError(`hashPassword: the salt must be at least 16 bytes (got ${salt.length})`);
  const key = await derive(password, salt, DEFAULTS.keyLength, DEFAULTS);
  return `scrypt$${DEFAULTS.N}$${DEFAULTS.r}$${DEFAULTS.p}$${salt.toString('base64')}$${key.toString('base64')}`;
};

/**
 * Returns whether `password` matches the stored hash, comparing in constant time; a malformed stored hash matches
 * nothing. The scrypt work is done whatever the input, so the time says nothing about which part was wrong.
 */
export const verifyPassword = async (password: string, stored: string | PasswordHash): Promise<boolean> => {
  const parsed = typeof stored === 'string' ? parsePasswordHash(stored) : stored;
  if ('problem' in parsed) return false;
  const key = await derive(password, parsed.salt, parsed.hash.length, parsed);
  return timingSafeEqual(key, parsed.hash);
};
