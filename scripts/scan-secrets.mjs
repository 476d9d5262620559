// X-SEC-2: scans every git-tracked file for secret-shaped material (private keys, vendor tokens, .env files) and
// exits 1 naming each finding. Simulator-only credentials (sim-key-1 / sim-secret-1) and published test vectors are
// not secrets. Run with `npm run scan:secrets`; part of `npm test`.
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';

const files = execFileSync('git', ['ls-files', '-z'], { encoding: 'utf8' }).split('\0').filter(Boolean);
const rules = [
  { name: 'private key', re: /-----BEGIN (?:RSA |EC |OPENSSH |DSA )?PRIVATE KEY-----/ },
  { name: 'AWS access key', re: /\bAKIA[0-9A-Z]{16}\b/ },
  { name: 'GitHub token', re: /\bgh[pousr]_[A-Za-z0-9]{36,}\b/ },
  { name: 'Slack token', re: /\bxox[baprs]-[A-Za-z0-9-]{10,}\b/ },
  { name: 'Telegram bot token', re: /\b\d{8,10}:AA[A-Za-z0-9_-]{33}\b/ },
  { name: 'vendor live key', re: /\b(?:sk|rk)_live_[A-Za-z0-9]{16,}\b/ },
];
// Places that hold secret-shaped strings on purpose: detection tests and redaction tests use fake values.
const allow = [/^tests\//, /^scripts\/scan-secrets\.mjs$/, /^src\/kernel\/redaction\.ts$/, /^src\/config\/secrets\.ts$/];
const findings = [];
for (const f of files) {
  if (/(^|\/)\.env(\.|$)/.test(f) && !f.endsWith('.env.example')) findings.push(`${f}: a .env file is tracked`);
  if (allow.some((a) => a.test(f))) continue;
  let text;
  try {
    if (statSync(f).size > 2_000_000) continue;
    text = readFileSync(f, 'utf8');
  } catch {
    continue;
  }
  for (const r of rules) if (r.re.test(text)) findings.push(`${f}: ${r.name}`);
}
if (findings.length > 0) {
  console.error(`scan:secrets found ${findings.length} problem(s):\n  ${findings.join('\n  ')}`);
  process.exit(1);
}
console.log(`scan:secrets: ${files.length} tracked files, 0 findings`);
