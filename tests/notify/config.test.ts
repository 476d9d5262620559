/**
 * The `notifications` config section (X-NTF-4, X-SEC-1): every channel is off by default, each profile has its
 * policy (lifecycle events, alert channels, escalation), inconsistent settings are refused with a readable message,
 * the channel secrets are gateway variables documented in .env.example, and an enabled channel without its secret
 * refuses to start with MissingCredentials (exit 2).
 */
import { readFileSync } from 'node:fs';
import { Either, Schema } from 'effect';
import { describe, expect, it } from 'vitest';
import { makeAlertRouter } from '../../src/alerts/AlertRouter.ts';
import { loadConfigFile } from '../../src/config/load.ts';
import { AppConfig, decodeDefaults } from '../../src/config/schema.ts';
import { SECRET_VARIABLES, loadSecrets } from '../../src/config/secrets.ts';
import { VirtualClock } from '../../src/kernel/Clock.ts';
import { silentLogger } from '../../src/kernel/logger.ts';
import { virtualScheduler } from '../../src/kernel/Scheduler.ts';
import { openJournal } from '../../src/journal/Journal.ts';
import { startNotifications } from '../../src/notify/index.ts';
import { PROFILE_POLICIES, enabledChannels, policyOf, resolveChannels } from '../../src/notify/policy.ts';

const decode = (doc: unknown) => Schema.decodeUnknownEither(AppConfig)(doc, { errors: 'all' });

describe('notifications config (X-NTF-4)', () => {
  it('X-NTF-4 every channel is off by default and the default policy is the profile\'s', () => {
    const config = decodeDefaults(AppConfig);
    expect(enabledChannels(config)).toEqual([]);
    expect(config.notifications.policy).toBeNull();
    expect(policyOf(config)).toBe(PROFILE_POLICIES.demo);
    expect(config.notifications.telegram.apiBaseUrl).toBe('https://api.telegram.org');
  });

  it('X-NTF-4 per profile: S0 sends every lifecycle template to Telegram, S2 none, S4 only compact signals; CRITICAL alerts go everywhere', () => {
    const of = (profile: AppConfig['profile']) => policyOf({ ...decodeDefaults(AppConfig), profile });
    expect(of('s0-bybit-signal').lifecycle).toEqual({ events: ['ORDER_PLACED', 'POSITION_OPENED', 'TP_HIT', 'SL_HIT', 'POSITION_CLOSED', 'ERROR'], channels: ['telegram'] });
    expect(of('s2-us-stock').lifecycle.events).toEqual([]);
    expect(of('s4-binance').lifecycle.events).toEqual(['ORDER_PLACED', 'POSITION_CLOSED', 'ERROR']);
    for (const p of Object.keys(PROFILE_POLICIES) as Array<AppConfig['profile']>) {
      expect(resolveChannels(of(p).alerts.critical, ['telegram', 'email', 'log'])).toEqual(['telegram', 'email', 'log']);
      expect(of(p).escalation.addChannels).toEqual(['email']);
    }
    const own = decode({ profile: 's2-us-stock', notifications: { policy: { lifecycle: { events: ['ERROR'], channels: ['webhook'] } } } });
    expect(Either.isRight(own) && policyOf(own.right).lifecycle).toEqual({ events: ['ERROR'], channels: ['webhook'] });
    expect(resolveChannels(['telegram', 'email'], ['webhook', 'email'])).toEqual(['email']);
  });

  it('S0-11 S0-13 S0-18 X-NTF-4 S0-9 S0-12 a policy may list STOP_MOVED, PYRAMID_STEP and HEDGE; the shipped S0 profile lists them with every other lifecycle template, other profiles\' defaults do not', () => {
    const all = ['ORDER_PLACED', 'POSITION_OPENED', 'TP_HIT', 'SL_HIT', 'STOP_MOVED', 'PYRAMID_STEP', 'HEDGE', 'POSITION_CLOSED', 'ERROR'];
    const own = decode({ notifications: { policy: { lifecycle: { events: all, channels: ['telegram'] } } } });
    expect(Either.isRight(own) && policyOf(own.right).lifecycle.events).toEqual(all);
    const loaded = loadConfigFile('config/profiles/s0-bybit-signal.yaml');
    expect(Either.isRight(loaded) && policyOf(loaded.right.config).lifecycle.events).toEqual(all);
    for (const p of Object.keys(PROFILE_POLICIES) as Array<AppConfig['profile']>) {
      expect(PROFILE_POLICIES[p].lifecycle.events).not.toContain('STOP_MOVED');
      expect(PROFILE_POLICIES[p].lifecycle.events).not.toContain('PYRAMID_STEP');
      expect(PROFILE_POLICIES[p].lifecycle.events).not.toContain('HEDGE');
    }
    const wrong = decode({ notifications: { policy: { lifecycle: { events: ['STOP_MOVE'] } } } });
    expect(Either.isLeft(wrong) && wrong.left.message).toContain('"STOP_MOVED"');
  });

  it('X-NTF-4 inconsistent or unsafe settings are refused with a readable message', () => {
    const msg = (doc: unknown): string => {
      const r = decode(doc);
      return Either.isLeft(r) ? r.left.message : '';
    };
    expect(msg({ notifications: { telegram: { enabled: true } } })).toContain('telegram.enabled needs at least one telegram.chatIds entry');
    expect(msg({ notifications: { telegram: { chatIds: ['my-chat'] } } })).toContain('Expected a Telegram chat id');
    expect(msg({ notifications: { webhook: { url: 'https://user:pw@hooks.example/x' } } })).toContain('without user:password');
    expect(msg({ notifications: { email: { enabled: true, host: 'smtp.example' } } })).toContain('email.enabled needs email.host, email.from and at least one email.to');
    expect(msg({ notifications: { outboxMax: 0 } })).toContain('outboxMax');
    expect(msg({ notifications: { policy: { alerts: { critical: ['sms'] } } } })).toContain('sms');
  });

  it('X-SEC-1 the channel secrets are gateway variables, documented in .env.example', () => {
    const names = SECRET_VARIABLES.map((v) => v.name);
    const example = readFileSync('.env.example', 'utf8');
    for (const n of ['TW_TELEGRAM_BOT_TOKEN', 'TW_WEBHOOK_TOKEN', 'TW_SMTP_PASSWORD']) {
      expect(names).toContain(n);
      expect(example).toMatch(new RegExp(`^${n}=$`, 'm'));
    }
  });

  it('X-SEC-1 Telegram enabled without TW_TELEGRAM_BOT_TOKEN refuses to start with MissingCredentials', async () => {
    const doc = decode({ notifications: { telegram: { enabled: true, chatIds: ['1'] } } });
    if (Either.isLeft(doc)) throw doc.left;
    const clock = new VirtualClock(0);
    const journal = openJournal({ path: ':memory:', clock });
    const s = virtualScheduler(clock);
    const started = startNotifications({
      config: doc.right, secrets: loadSecrets({}), journals: [{ account: 'main', journal }], scheduler: s, wallScheduler: s, logger: silentLogger(clock), clock,
      alerts: makeAlertRouter({ clock, scheduler: s, channels: [] }),
    });
    await expect(started).rejects.toMatchObject({ name: 'MissingCredentials', message: expect.stringContaining('TW_TELEGRAM_BOT_TOKEN') as unknown });
    journal.close();
  });
});
