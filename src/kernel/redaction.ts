/**
 * Secret scrubbing for everything tradewarden writes (X-SEC-4): structural redaction paths for pino, and a value
 * scrubber that replaces any registered secret value, and key-shaped strings, wherever they appear in a log line.
 * The secrets gateway registers every secret value it loads; nothing else needs to know them.
 */

/** The replacement text for a redacted value. */
export const REDACTED = '<redacted>';

/** Field names whose values are always redacted, at any depth. */
export const SECRET_FIELD_NAMES: ReadonlyArray<string> = [
  'apiKey', 'api_key', 'apiSecret', 'api_secret', 'secret', 'secretKey', 'privateKey', 'private_key',
  'password', 'passphrase', 'token', 'botToken', 'accessToken', 'refreshToken', 'authorization', 'Authorization',
  'signature', 'sign', 'x-bapi-sign', 'X-BAPI-SIGN', 'x-bapi-api-key', 'X-BAPI-API-KEY', 'X-MBX-APIKEY', 'x-mbx-apikey',
  'APCA-API-KEY-ID', 'APCA-API-SECRET-KEY', 'jwt', 'cookie', 'confirmationToken',
];

/** pino `redact.paths` covering the secret field names at the top level and up to three levels deep. */
export const pinoRedactPaths = (): string[] => {
  const quoted = SECRET_FIELD_NAMES.map((n) => (/^[A-Za-z_$][\w$]*$/.test(n) ? n : `["${n}"]`));
  const join = (prefix: string, n: string): string => (n.startsWith('[') ? `${prefix}${n}` : `${prefix}.${n}`);
  const out: string[] = [];
  for (const n of quoted) {
    out.push(n.startsWith('[') ? n : n);
    out.push(join('*', n));
    out.push(join('*.*', n));
    out.push(join('*.*.*', n));
  }
  return out;
};

const registered = new Set<string>();

/** Registers secret values to scrub from every log line (values shorter than 6 characters are not scrubbed). */
export const registerSecretValues = (values: Iterable<string>): void => {
  for (const v of values) if (v.length >= 6) registered.add(v);
};

/** Forgets every registered secret value (tests only). */
export const clearSecretValues = (): void => registered.clear();

// Key-shaped material that must never be logged even when nobody registered it.
const PATTERNS: ReadonlyArray<RegExp> = [
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
  /\bBearer\s+[A-Za-z0-9._~+/=-]{8,}/g,
  /\b(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]{8,}\b/g,
  /\b\d{6,12}:[A-Za-z0-9_-]{30,}\b/g, // Telegram bot token shape
];

/** Returns the text with every registered secret value and key-shaped string replaced by `<redacted>`. */
export const scrubText = (text: string): string => {
  let out = text;
  for (const secret of registered) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  for (const re of PATTERNS) out = out.replace(re, REDACTED);
  return out;
};

/** Returns a deep copy of a value with secret fields and secret values scrubbed. */
export const scrubValue = (value: unknown, depth = 0): unknown => {
  if (typeof value === 'string') return scrubText(value);
  if (value === null || typeof value !== 'object' || depth > 8) return value;
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out[k] = SECRET_FIELD_NAMES.includes(k) && v !== null && v !== undefined ? REDACTED : scrubValue(v, depth + 1);
  }
  return out;
};
