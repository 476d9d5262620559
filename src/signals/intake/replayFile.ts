/**
 * The signal replay file (issue 16 item 1): JSON lines, one message each — `{"at": "2022-12-13T00:30:00Z",
 * "source": "CRYPTORAKETEN", "id": "17", "text": "…"}` (`id` optional: the line number) — for paper runs and
 * backtests. Blank lines and lines starting with `#` are skipped. Every problem is a typed error naming the line.
 */
import { readFileSync } from 'node:fs';
import { Either, ParseResult, Schema } from 'effect';
import type { InboundSignal } from './SignalInbox.ts';

/** A replay file that cannot be read: the file, the line and what is wrong. */
export class SignalReplayError extends Error {
  override readonly name = 'SignalReplayError';
}

const Line = Schema.Struct({
  at: Schema.String,
  source: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(32)),
  id: Schema.optional(Schema.String.pipe(Schema.minLength(1), Schema.maxLength(64))),
  text: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(8192)),
});
const decodeLine = Schema.decodeUnknownEither(Line, { errors: 'all' });

/** Reads a replay file into messages ordered by time (then by line); throws SignalReplayError. */
export const readSignalReplay = (file: string): InboundSignal[] => {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new SignalReplayError(`signals.replayFile ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const out: Array<InboundSignal & { line: number }> = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    let json: unknown;
    try {
      json = JSON.parse(trimmed);
    } catch (e) {
      throw new SignalReplayError(`${file}:${String(line)}: not JSON (${e instanceof Error ? e.message : String(e)})`);
    }
    const decoded = decodeLine(json);
    if (Either.isLeft(decoded)) throw new SignalReplayError(`${file}:${String(line)}: ${ParseResult.TreeFormatter.formatErrorSync(decoded.left)}`);
    const at = Date.parse(decoded.right.at);
    if (!Number.isFinite(at)) throw new SignalReplayError(`${file}:${String(line)}: "at" is not an ISO 8601 time: ${decoded.right.at}`);
    out.push({ source: decoded.right.source, via: 'replay', messageId: decoded.right.id ?? `line-${String(line)}`, text: decoded.right.text, postedAt: at, line });
  });
  return out.sort((a, b) => a.postedAt - b.postedAt || a.line - b.line).map(({ line: _line, ...m }) => m);
};
