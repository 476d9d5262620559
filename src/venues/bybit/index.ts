/**
 * Public surface of the Bybit v5 adapter: config schema, the adapter factory, stream descriptions, the clock gate
 * and an Effect layer. Other modules import from here, never from the adapter's internals.
 */
import { Context, Effect, Layer } from 'effect';
import type { Clock } from '../../kernel/Clock.ts';
import type { BybitConfig } from './BybitConfig.ts';
import { makeBybitVenue, type BybitVenue } from './BybitVenue.ts';
import type { BybitLogger } from './http/BybitHttpClient.ts';

export { BybitConfig, BybitEnvironment, decodeBybitConfig, defaultBybitRateLimits } from './BybitConfig.ts';
export type { BybitEndpointGroup, BybitRateLimit, BybitRateLimits, BybitClockGateConfig } from './BybitConfig.ts';
export { makeBybitVenue, bybitCapabilities, apiKeyFingerprint } from './BybitVenue.ts';
export type { BybitVenue, BybitVenueDeps } from './BybitVenue.ts';
export { ClockGate, ClockOffsetEstimator, sampleOffset } from '../shared/ClockGate.ts';
export type { ClockGateState, ClockSample } from '../shared/ClockGate.ts';
export { bybitPublicStream, bybitPrivateStream, decodePublicFrame, decodePrivateFrame, BYBIT_PING_INTERVAL_MS } from './ws/BybitWsStream.ts';
export { bybitRetCodeTable, isRetryable as isRetryableBybitFailure, isDefinitiveFailure as isDefinitiveBybitFailure } from './http/errors.ts';
export type { BybitLogger } from './http/BybitHttpClient.ts';
export { resolveBybitUrls, bybitHosts } from './urls.ts';
export type { BybitPublicChannel } from './ws/topics.ts';

/** The adapter as an Effect service. */
export class BybitVenueService extends Context.Tag('tradewarden/venues/bybit/BybitVenue')<BybitVenueService, BybitVenue>() {
  /** A scoped layer: builds the adapter and closes its connection pool when the scope ends. */
  static layer = (config: BybitConfig, deps: { readonly clock: Clock; readonly logger?: BybitLogger | undefined }): Layer.Layer<BybitVenueService> =>
    Layer.scoped(
      BybitVenueService,
      Effect.acquireRelease(
        Effect.sync(() => makeBybitVenue(config, deps)),
        (venue) => Effect.promise(() => venue.close()),
      ),
    );
}
