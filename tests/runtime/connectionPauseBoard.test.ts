/**
 * The pause board that combines several streams' pause decisions over the same symbols (X-WS-5): a symbol trades only
 * while no stream pauses it, and the reason reported is the one of a stream that still pauses it.
 */
import { describe, expect, it } from 'vitest';
import { createPauseBoard } from '../../src/runtime/connection/PauseBoard.ts';

describe('createPauseBoard', () => {
  it('X-WS-5 keeps a symbol paused while any stream pauses it', () => {
    const state = new Map<string, { paused: boolean; reason: string }>();
    const board = createPauseBoard({ setMarketPaused: (symbol, paused, reason) => state.set(symbol, { paused, reason }) });
    const pub = board('public');
    const priv = board('private');
    pub.setMarketPaused('BTCUSDT', true, 'public: connecting');
    priv.setMarketPaused('BTCUSDT', true, 'private: connecting');
    pub.setMarketPaused('BTCUSDT', false, 'public: live');
    expect(state.get('BTCUSDT')).toEqual({ paused: true, reason: 'private: connecting' });
    priv.setMarketPaused('BTCUSDT', false, 'private: live');
    expect(state.get('BTCUSDT')).toEqual({ paused: false, reason: 'private: live' });
    pub.setMarketPaused('BTCUSDT', true, 'public: gap on BTCUSDT');
    expect(state.get('BTCUSDT')).toEqual({ paused: true, reason: 'public: gap on BTCUSDT' });
    // Symbols are independent.
    expect(state.get('ADAUSDT')).toBeUndefined();
  });
});
