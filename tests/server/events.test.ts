/**
 * `GET /events` of the operations server (X-OBS-1, issue 14): SSE frames (`id:`, `event: <kind>`, `data: <json>`)
 * from the real event hub fed by the real journal pump, the replay after `Last-Event-ID`, live events after it, the
 * heartbeat comment, and the subscription released when the client goes or the server closes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { OpsEvent, OpsEvents } from '../../src/ops/types.ts';
import { sseFrame } from '../../src/server/sse.ts';
import { opsFixture, startTestServer, TOKEN, type OpsFixture, type TestServer } from './opsFixture.ts';

interface Frame {
  readonly id?: string;
  readonly event?: string;
  readonly data?: string;
  readonly comments: string[];
}

const parseFrames = (text: string): Frame[] =>
  text.split('\n\n').filter((block) => block !== '').map((block) => {
    const frame: { id?: string; event?: string; data?: string; comments: string[] } = { comments: [] };
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) frame.comments.push(line.slice(1).trim());
      else if (line.startsWith('id: ')) frame.id = line.slice(4);
      else if (line.startsWith('event: ')) frame.event = line.slice(7);
      else if (line.startsWith('data: ')) frame.data = line.slice(6);
    }
    return frame;
  });

/** An open stream: `until` reads until the frames so far satisfy the predicate (the test's timeout bounds it). */
const openStream = async (url: string, headers: Record<string, string>, signal: AbortSignal) => {
  const res = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}`, ...headers }, signal });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  return {
    res,
    until: async (done: (frames: Frame[]) => boolean): Promise<Frame[]> => {
      while (!done(parseFrames(text))) {
        const chunk = await reader.read();
        if (chunk.done) throw new Error(`stream ended before the condition held; got ${JSON.stringify(text)}`);
        text += decoder.decode(chunk.value as Uint8Array, { stream: true });
      }
      return parseFrames(text);
    },
    ended: async (): Promise<boolean> => (await reader.read().catch(() => ({ done: true }))).done === true,
  };
};

/** The fixture's hub behind a wrapper that counts live subscriptions and tells when one is released. */
const counting = (events: OpsEvents) => {
  let live = 0;
  let released: () => void = () => undefined;
  const nextRelease = (): Promise<void> => new Promise((resolve) => (released = resolve));
  let release = nextRelease();
  const wrapped: OpsEvents = {
    since: (after) => events.since(after),
    subscribe: (listener) => {
      live += 1;
      const off = events.subscribe(listener);
      return () => {
        off();
        live -= 1;
        released();
        release = nextRelease();
      };
    },
  };
  return { wrapped, live: () => live, released: () => release };
};

const control = (f: OpsFixture, reason: string): void => {
  f.journal.append('operator', 'OPERATOR_CONTROL', { action: 'resume', who: 'cli', reason });
  f.pump();
};

let fixture: OpsFixture | undefined;
let running: TestServer | undefined;
const aborts: AbortController[] = [];
afterEach(async () => {
  for (const a of aborts.splice(0)) a.abort();
  await running?.server.close();
  fixture?.close();
  running = undefined;
  fixture = undefined;
});

describe('GET /events', () => {
  it('X-OBS-1 frames each event as id/event/data, replays the ring after Last-Event-ID, then streams live events', async () => {
    fixture = opsFixture();
    const subs = counting(fixture.source.events);
    running = await startTestServer({ ...fixture, source: { ...fixture.source, events: subs.wrapped } });
    for (const r of ['one', 'two', 'three']) control(fixture, r);
    const abort = new AbortController();
    aborts.push(abort);
    const stream = await openStream(`${running.url}/events`, { 'last-event-id': '1' }, abort.signal);
    expect(stream.res.status).toBe(200);
    expect(stream.res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(stream.res.headers.get('x-robots-tag')).toMatch(/noindex/);
    const replayed = await stream.until((fs) => fs.filter((f) => f.id !== undefined).length >= 2);
    expect(replayed[0]!.comments).toContain('connected');
    const events = replayed.filter((f) => f.id !== undefined);
    expect(events.map((f) => [f.id, f.event])).toEqual([['2', 'control'], ['3', 'control']]);
    const data = JSON.parse(events[0]!.data!) as OpsEvent;
    expect(data).toMatchObject({ id: 2, kind: 'control', account: 'main', data: { type: 'OPERATOR_CONTROL', action: 'resume', who: 'cli', reason: 'two' } });
    expect(subs.live()).toBe(1);

    control(fixture, 'four');
    const live = (await stream.until((fs) => fs.some((f) => f.id === '4'))).filter((f) => f.id !== undefined);
    expect(live.map((f) => f.id)).toEqual(['2', '3', '4']);
    expect((JSON.parse(live[2]!.data!) as OpsEvent).data['reason']).toBe('four');

    const released = subs.released();
    abort.abort();
    await released;
    expect(subs.live()).toBe(0);
  });

  it('X-OBS-1 sends a heartbeat comment on its interval and takes the resume point from ?lastEventId too', async () => {
    fixture = opsFixture();
    running = await startTestServer(fixture, { sseHeartbeatMs: 50 });
    for (const r of ['a', 'b']) control(fixture, r);
    const abort = new AbortController();
    aborts.push(abort);
    const stream = await openStream(`${running.url}/events?lastEventId=1`, {}, abort.signal);
    const frames = await stream.until((fs) => fs.some((f) => f.comments.includes('heartbeat')));
    expect(frames.filter((f) => f.id !== undefined).map((f) => f.id)).toEqual(['2']);
  });

  it('X-OBS-1 ends open streams when the server closes', async () => {
    fixture = opsFixture();
    const subs = counting(fixture.source.events);
    running = await startTestServer({ ...fixture, source: { ...fixture.source, events: subs.wrapped } });
    const abort = new AbortController();
    aborts.push(abort);
    const stream = await openStream(`${running.url}/events`, {}, abort.signal);
    await stream.until((fs) => fs.some((f) => f.comments.includes('connected')));
    expect(subs.live()).toBe(1);
    await running.server.close();
    expect(await stream.ended()).toBe(true);
    expect(subs.live()).toBe(0);
  });

  it('X-OBS-1 keeps each event on one data line whatever its text holds', () => {
    const frame = sseFrame({ id: 7, kind: 'alert', at: 1, account: null, data: { message: 'line one\nline two\r\n: not a comment' } });
    expect(frame.split('\n')).toEqual(['id: 7', 'event: alert', expect.stringMatching(/^data: \{.*\}$/) as string, '', '']);
  });
});
