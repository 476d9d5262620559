/**
 * The notification port (X-NTF-1): a channel-agnostic message with its dedupe key, and the `NotificationChannel` every
 * adapter (Telegram, webhook, e-mail, log) implements. A channel only delivers; retries, timeouts, ordering and the
 * journal belong to the outbox. Pure types and the one error of the port.
 */
import { Data } from 'effect';

/** One message, whatever channel carries it. */
export interface NotificationMessage {
  /** The dedupe key: one delivery per key and channel, across restarts (X-NTF-5). */
  readonly key: string;
  /** The template it was rendered with (`ORDER_PLACED`, `ALERT`, `DAILY_REPORT`, …). */
  readonly template: string;
  /** The rendered text, exactly as sent. */
  readonly text: string;
  /** Never dropped when the outbox is full. */
  readonly critical: boolean;
  /** The journal entry it was made from (the ACK or fill a lifecycle message is gated on). */
  readonly sourceSeq?: number | undefined;
  /** Structured fields for the webhook; kept in memory only (a message re-queued after a restart has none). */
  readonly fields?: Readonly<Record<string, unknown>> | undefined;
  /** A PNG (a report's chart); kept in memory only: after a restart the message goes out as text. */
  readonly image?: Buffer | undefined;
}

/** Why a delivery failed: worth another attempt (after `retryAfterMs` when the channel was told), or refused for good. */
export type NotifyFailure =
  | { readonly _tag: 'Retryable'; readonly message: string; readonly retryAfterMs?: number | undefined }
  | { readonly _tag: 'Refused'; readonly message: string };

/** The one error a channel rejects with. */
export class NotifyError extends Data.TaggedError('NotifyError')<{ readonly channel: string; readonly reason: NotifyFailure }> {
  override get message(): string {
    return `notification channel ${this.channel}: ${this.reason._tag === 'Refused' ? 'refused' : 'failed'}: ${this.reason.message}`;
  }
}

/** A delivery target. `deliver` resolves once the channel took the message; `signal` aborts a delivery that timed out. */
export interface NotificationChannel {
  readonly name: string;
  deliver(message: NotificationMessage, signal: AbortSignal): Promise<void>;
  /** Releases connections; idempotent. */
  close?(): Promise<void>;
}

/** Returns the error as a NotifyError of the channel: a NotifyError as it is, anything else as a retryable failure. */
export const asNotifyError = (channel: string, e: unknown): NotifyError =>
  e instanceof NotifyError ? e : new NotifyError({ channel, reason: { _tag: 'Retryable', message: e instanceof Error ? e.message : String(e) } });
