/**
 * The secrets gateway (X-SEC-1): the ONLY module that reads `process.env`. It returns secrets as effect `Redacted`
 * values (printing one shows `<redacted>`), registers every loaded value with the log scrubber, and finds
 * secret-shaped values in plaintext config files (X-SEC-3). Everything else receives typed config.
 */
import { createHash } from 'node:crypto';
import { Redacted } from 'effect';
import { registerSecretValues } from '../kernel/redaction.ts';

/** One environment variable the gateway reads, with the documentation `.env.example` carries. */
export interface SecretVariable {
  readonly name: string;
  readonly doc: string;
}

/** Every environment variable tradewarden reads. `.env.example` is checked against this list by a test. */
export const SECRET_VARIABLES: ReadonlyArray<SecretVariable> = [
  { name: 'TW_BYBIT_API_KEY', doc: 'Bybit v5 API key (trade-only; never with withdrawal permission). Needed for testnet/mainnet; the simulator uses its own key.' },
  { name: 'TW_BYBIT_API_SECRET', doc: 'Bybit v5 API secret matching TW_BYBIT_API_KEY.' },
  { name: 'TW_BINANCE_API_KEY', doc: 'Binance USD-M futures API key (trade-only).' },
  { name: 'TW_BINANCE_API_SECRET', doc: 'Binance USD-M futures API secret.' },
  { name: 'TW_COINBASE_KEY_NAME', doc: 'Coinbase Advanced Trade API key name (organizations/{org}/apiKeys/{id}).' },
  { name: 'TW_COINBASE_PRIVATE_KEY', doc: 'Coinbase Advanced Trade EC P-256 private key (PEM).' },
  { name: 'TW_ALPACA_KEY_ID', doc: 'Alpaca API key id (paper or live, matching the configured environment).' },
  { name: 'TW_ALPACA_SECRET_KEY', doc: 'Alpaca API secret key.' },
  { name: 'TW_TELEGRAM_BOT_TOKEN', doc: 'Telegram bot token for alerts (optional).' },
  { name: 'TW_WEBHOOK_TOKEN', doc: 'Bearer token sent to the notification webhook (optional; without it the webhook is called without Authorization).' },
  { name: 'TW_SMTP_PASSWORD', doc: 'SMTP login password of the e-mail notification channel (optional; used with notifications.email.user).' },
  { name: 'TW_CONTROL_TOKEN', doc: 'Bearer token of the HTTP API (status, metrics, events, journal and the control routes); the server refuses to start without it.' },
  { name: 'TW_DASHBOARD_USER', doc: 'Dashboard login user name (optional; without it and TW_DASHBOARD_PASSWORD_HASH the dashboard login is disabled).' },
  { name: 'TW_DASHBOARD_PASSWORD_HASH', doc: 'Dashboard login password as an scrypt hash (`tradewarden server hash-password` prints one); never the password itself.' },
  { name: 'TW_LIVE_CONFIRMATION', doc: 'Operator confirmation token required to start in LIVE mode (compared with the config hash prefix).' },
  { name: 'TW_SIM_API_KEY', doc: 'Override of the simulator API key (simulator-only credential; default sim-key-1).' },
  { name: 'TW_SIM_API_SECRET', doc: 'Override of the simulator API secret (simulator-only credential; default sim-secret-1).' },
  // One per `via: webhook` signal source, TW_SIGNAL_WEBHOOK_SECRET_<SOURCE NAME> (SIGNAL_WEBHOOK_SECRET_VARIABLE); S0's three are listed.
  { name: 'TW_SIGNAL_WEBHOOK_SECRET_CRYPTORAKETEN', doc: 'HMAC-SHA256 secret (at least 32 characters; openssl rand -hex 32) of the CRYPTORAKETEN signal webhook, when that source is `via: webhook`; any other webhook source reads TW_SIGNAL_WEBHOOK_SECRET_<SOURCE NAME>.' },
  { name: 'TW_SIGNAL_WEBHOOK_SECRET_LUX_LEAK', doc: 'HMAC-SHA256 secret of the LUX_LEAK signal webhook (as TW_SIGNAL_WEBHOOK_SECRET_CRYPTORAKETEN).' },
  { name: 'TW_SIGNAL_WEBHOOK_SECRET_SMART_CRYPTO', doc: 'HMAC-SHA256 secret of the SMART_CRYPTO signal webhook (as TW_SIGNAL_WEBHOOK_SECRET_CRYPTORAKETEN).' },
];

/** The secrets available to this process; absent ones are undefined. */
export interface Secrets {
  readonly get: (name: string) => Redacted.Redacted<string> | undefined;
  /** The names of the variables that were set (never their values). */
  readonly present: ReadonlyArray<string>;
}

const KNOWN = new Set(SECRET_VARIABLES.map((v) => v.name));

/**
 * Credentials of a further venue account, named by its config's `envPrefix` (`TW_BYBIT_SECOND_API_KEY`): read like the
 * listed variables, so a second account of one venue needs no code change.
 */
export const ACCOUNT_CREDENTIAL_VARIABLE = /^TW_[A-Z][A-Z0-9_]{0,40}_API_(KEY|SECRET)$/;

/** The HMAC secret of a `via: webhook` signal source, named by the source (`TW_SIGNAL_WEBHOOK_SECRET_LUX_LEAK`). */
export const SIGNAL_WEBHOOK_SECRET_VARIABLE = /^TW_SIGNAL_WEBHOOK_SECRET_[A-Z][A-Z0-9_]{0,31}$/;

/** Returns the variable that holds a signal source's webhook secret: the source name upper-cased after the prefix. */
export const signalWebhookSecretVariable = (source: string): string => `TW_SIGNAL_WEBHOOK_SECRET_${source.toUpperCase()}`;

/**
 * The environment of a child process this one starts (the restart drill's runtime): this process's environment plus
 * `extra` (a drill-generated webhook secret, a control token). The only place a child's environment is built.
 */
export const childEnvironment = (extra: Readonly<Record<string, string>>): Record<string, string | undefined> => ({ ...process.env, ...extra });

const isPattern = (name: string): boolean => ACCOUNT_CREDENTIAL_VARIABLE.test(name) || SIGNAL_WEBHOOK_SECRET_VARIABLE.test(name);
const isKnown = (name: string): boolean => KNOWN.has(name) || isPattern(name);

/**
 * Reads the known secret variables from the environment (or the given record, for tests), wraps them as Redacted and
 * registers their values with the log scrubber.
 */
export const loadSecrets = (env: Readonly<Record<string, string | undefined>> = process.env): Secrets => {
  const values = new Map<string, Redacted.Redacted<string>>();
  const raw: string[] = [];
  for (const name of new Set([...KNOWN, ...Object.keys(env).filter(isPattern)])) {
    const v = env[name];
    if (v !== undefined && v.trim() !== '') {
      values.set(name, Redacted.make(v));
      raw.push(v);
    }
  }
  registerSecretValues(raw);
  return {
    get: (name) => {
      if (!isKnown(name)) throw new Error(`unknown secret variable ${name}: add it to SECRET_VARIABLES`);
      return values.get(name);
    },
    present: [...values.keys()].sort(),
  };
};

/** Returns a short, non-reversible fingerprint of a secret (sha256 prefix) for logs and rotation records (X-SEC-5). */
export const fingerprint = (secret: Redacted.Redacted<string>): string =>
  createHash('sha256').update(Redacted.value(secret)).digest('hex').slice(0, 12);

/** Returns the names and fingerprints of the loaded secrets: what a startup log may say about them. */
export const describeSecrets = (secrets: Secrets): Record<string, string> =>
  Object.fromEntries(secrets.present.map((name) => [name, `sha256:${fingerprint(secrets.get(name)!)}`]));

/** A secret-shaped value found in a plaintext config file. */
export interface PlaintextSecretFinding {
  readonly path: string;
  readonly why: string;
}

/**
 * Key names that hold secrets, matched on the name lower-cased with `_`, `-` and `.` removed: `secret_key`, `passwd`,
 * `accessKey`, `auth`, `credentials`… A key matching one of these may hold nothing but an empty value or an
 * environment placeholder (`${TW_…}`).
 */
const SECRET_KEY_NAME = /(secret|password|passwd|passphrase|pwd|privatekey|private|apikey|accesskey|secretkey|token|signature|credential|credentials|auth|authorization|bearer|cookie|sessionkey)$/;
const SECRET_KEY_ANYWHERE = /(secret|password|passwd|passphrase|privatekey|apikey|accesskey|credential)/;

/** Returns whether a config key names a secret. */
export const isSecretKeyName = (name: string): boolean => {
  const n = name.toLowerCase().replace(/[^a-z0-9]/g, '');
  return n !== '' && (SECRET_KEY_NAME.test(n) || SECRET_KEY_ANYWHERE.test(n));
};

const SECRET_VALUE_SHAPES: ReadonlyArray<{ readonly re: RegExp; readonly why: string }> = [
  { re: /-----BEGIN [A-Z ]*PRIVATE KEY-----/, why: 'a PEM private key' },
  { re: /^[A-Fa-f0-9]{48,}$/, why: 'a long hex string shaped like an API secret' },
  { re: /^(?=.*[A-Z])(?=.*[a-z])(?=.*\d)[A-Za-z0-9]{32,}$/, why: 'a long mixed-case token shaped like an API key' },
  { re: /^\d{6,12}:[A-Za-z0-9_-]{30,}$/, why: 'a Telegram bot token' },
  { re: /^(sk|pk|rk)_(live|test)_[A-Za-z0-9]{8,}$/, why: 'a vendor secret key' },
  { re: /\b(AKIA|ASIA)[A-Z0-9]{16}\b/, why: 'an AWS access key id' },
  // AWS secret access keys are 40 characters of base64; require all three character classes so words and paths pass.
  { re: /^(?=.*[A-Z])(?=.*[a-z])(?=.*\d)[A-Za-z0-9/+]{40}$/, why: 'an AWS secret access key' },
  { re: /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/, why: 'a JSON Web Token' },
  { re: /^\s*(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}/i, why: 'an HTTP Authorization credential' },
  { re: /^[a-z][a-z0-9+.-]*:\/\/[^\s/@:]*:[^\s/@]+@/i, why: 'a URL with an embedded user:password' },
  { re: /\bxox[abposr]-[A-Za-z0-9-]{10,}/, why: 'a Slack token' },
  { re: /\b(ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{20,}\b|\bgithub_pat_[A-Za-z0-9_]{20,}/, why: 'a GitHub token' },
  { re: /\bsk-[A-Za-z0-9_-]{20,}/, why: 'an API secret key (sk-…)' },
];

const ENV_PLACEHOLDER = /^\$\{?[A-Z0-9_]+\}?$/;

const valueShape = (value: string): string | undefined => SECRET_VALUE_SHAPES.find((s) => s.re.test(value.trim()))?.why;

const collect = (doc: unknown, path: string[], underSecretKey: string | undefined, out: PlaintextSecretFinding[]): void => {
  const here = path.join('.');
  if (typeof doc === 'string' || typeof doc === 'number' || typeof doc === 'bigint') {
    const text = String(doc);
    if (underSecretKey !== undefined && text.trim() !== '' && !ENV_PLACEHOLDER.test(text.trim())) {
      out.push({ path: here, why: `key "${underSecretKey}" holds a value; secrets belong in the environment (.env)` });
      return;
    }
    const shape = typeof doc === 'string' ? valueShape(doc) : undefined;
    if (shape !== undefined) out.push({ path: here, why: `value looks like ${shape}` });
    return;
  }
  if (Array.isArray(doc)) {
    doc.forEach((v, i) => collect(v, [...path, String(i)], underSecretKey, out));
    return;
  }
  if (doc !== null && typeof doc === 'object') {
    for (const [k, v] of Object.entries(doc as Record<string, unknown>)) {
      const keyShape = valueShape(k);
      if (keyShape !== undefined) out.push({ path: [...path, '<key>'].join('.'), why: `a key looks like ${keyShape}` });
      collect(v, [...path, k], underSecretKey ?? (isSecretKeyName(k) ? k : undefined), out);
    }
  }
};

/**
 * Returns the places in a parsed config document that hold secret-shaped values (X-SEC-3): any non-empty scalar at or
 * below a secret-named key (`apiSecret`, `passwd`, `credentials: {…}`), and any string shaped like key material
 * anywhere (AWS keys, JWTs, `Bearer …`, `https://user:pass@host`, Slack/GitHub tokens, PEM keys), keys included.
 * Findings never quote the value.
 */
export const findPlaintextSecrets = (doc: unknown, path: string[] = []): ReadonlyArray<PlaintextSecretFinding> => {
  const out: PlaintextSecretFinding[] = [];
  // A value handed over with its path (a duplicate key's shadowed value) is judged by the key names on that path.
  collect(doc, path, path.find(isSecretKeyName), out);
  return out;
};
