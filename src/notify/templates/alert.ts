/**
 * ALERT: an AlertRouter record (raised, escalated, resolved; X-NTF-3) as a channel-agnostic message: severity, key,
 * message, how many identical raises were suppressed, and its fields one per line in key order. Pure.
 */
import { Either } from 'effect';
import { lines, type Rendered, type TemplateError } from './format.ts';

/** What ALERT is rendered from (src/alerts/AlertRouter.ts `AlertRecord`). */
export interface AlertInput {
  readonly kind: 'raised' | 'escalated' | 'resolved';
  readonly key: string;
  readonly severity: 'INFO' | 'WARN' | 'CRITICAL';
  readonly message: string;
  readonly suppressed: number;
  readonly fields: Readonly<Record<string, unknown>>;
}

const HEADINGS: Readonly<Record<AlertInput['kind'], string>> = { raised: '🚨 ALERT', escalated: '🚨 ALERT ESCALATED', resolved: '✅ ALERT RESOLVED' };

const fieldText = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v) ?? String(v));

/** Renders ALERT. */
export const renderAlert = (input: AlertInput): Either.Either<Rendered, TemplateError> =>
  Either.right({
    template: 'ALERT',
    text: lines(
      `${HEADINGS[input.kind]} ${input.severity}`,
      `Key: ${input.key}`,
      input.message,
      input.suppressed > 0 ? `Suppressed repeats: ${String(input.suppressed)}` : undefined,
      ...Object.keys(input.fields).sort().map((k) => `${k}: ${fieldText(input.fields[k])}`),
    ),
  });
