/**
 * The live XState inspector (X-RT-11): our own WebSocket relay bound to 127.0.0.1 (never the hosted "sky" inspector,
 * and never @statelyai/inspect's server, which listens on every interface), fed by @statelyai/inspect's WebSocket
 * client so the frames are the Stately inspector's wire format. Contexts and events are scrubbed of secrets.
 */
import { createWebSocketInspector } from '@statelyai/inspect';
import { WebSocketServer, WebSocket } from 'ws';
import type { InspectionEvent } from 'xstate';
import { scrubValue } from '../kernel/redaction.ts';

/** A running relay and the `inspect` callback to pass to actors. */
export interface InspectorRelay {
  readonly url: string;
  readonly port: number;
  readonly inspect: (e: InspectionEvent) => void;
  readonly close: () => Promise<void>;
}

/** Starts the relay on 127.0.0.1 (port 0 = ephemeral) and connects an inspector client to it. */
export const startInspectorRelay = async (opts: { readonly port: number; readonly replay?: number }): Promise<InspectorRelay> => {
  const replayLimit = opts.replay ?? 2000;
  const wss = new WebSocketServer({ host: '127.0.0.1', port: opts.port });
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', resolve);
    wss.once('error', reject);
  });
  const address = wss.address();
  const port = typeof address === 'object' && address !== null ? address.port : opts.port;
  const url = `ws://127.0.0.1:${port}`;
  const history: string[] = [];
  // Re-broadcast every message to every other client; new viewers get the recent history first.
  wss.on('connection', (socket) => {
    for (const m of history) socket.send(m);
    socket.on('message', (data) => {
      const text = Buffer.isBuffer(data) ? data.toString('utf8') : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8');
      history.push(text);
      if (history.length > replayLimit) history.shift();
      for (const client of wss.clients) if (client !== socket && client.readyState === WebSocket.OPEN) client.send(text);
    });
  });
  const inspector = createWebSocketInspector({
    url,
    // Microsteps and action events are noise for a viewer and cost throughput (api-notes §3).
    filter: (e) => e.type === '@xstate.actor' || e.type === '@xstate.snapshot' || e.type === '@xstate.event',
    serialize: (e) => scrubValue(e) as typeof e,
  });
  return {
    url,
    port,
    inspect: (e) => inspector.inspect.next?.(e),
    close: async () => {
      inspector.stop();
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
};
