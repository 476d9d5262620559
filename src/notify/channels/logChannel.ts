/**
 * The log as a notification channel: one `notification` JSON line per message in the run log (pino; the logger's
 * redaction applies). Never fails.
 */
import type { Logger } from '../../kernel/logger.ts';
import type { NotificationChannel, NotificationMessage } from '../types.ts';

/** Returns the log channel writing through `logger`. */
export const logChannel = (logger: Pick<Logger, 'info'>): NotificationChannel => ({
  name: 'log',
  deliver: (message: NotificationMessage) => {
    logger.info({ event: 'notification', key: message.key, template: message.template, critical: message.critical, text: message.text }, 'notification');
    return Promise.resolve();
  },
});
