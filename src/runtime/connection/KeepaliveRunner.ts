/**
 * Runs a stream's REST keepalive (a listen key's periodic PUT) every `everyMs` while a socket is open, on its own
 * deadline of the injected scheduler. A failed call is reported once so the host can reconnect (a new socket opens
 * a new key); an answer for a socket that is gone is ignored. It never retries by itself.
 */
import { Effect, Either } from 'effect';
import { Deadlines } from '../../kernel/Deadlines.ts';
import type { Logger } from '../../kernel/logger.ts';
import type { Scheduler } from '../../kernel/Scheduler.ts';
import type { StreamKeepalive } from '../../venues/streams.ts';

/** Options of a KeepaliveRunner. */
export interface KeepaliveRunnerOptions {
  readonly name: string;
  readonly keepalive: StreamKeepalive | undefined;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  /** The keepalive failed on the current socket. */
  readonly onFailed: (message: string) => void;
}

/** The keepalive of one connection. */
export class KeepaliveRunner {
  private readonly opts: KeepaliveRunnerOptions;
  private readonly deadlines: Deadlines<'keepalive'>;
  private generation = 0;

  constructor(opts: KeepaliveRunnerOptions) {
    this.opts = opts;
    this.deadlines = new Deadlines(opts.scheduler);
  }

  /** Starts the keepalive cycle for a socket that just opened (no-op for streams without one). */
  start(): void {
    this.stop();
    if (this.opts.keepalive === undefined) return;
    this.arm(this.generation, this.opts.keepalive);
  }

  /** Stops the cycle; a call in flight is ignored when it answers. */
  stop(): void {
    this.generation += 1;
    this.deadlines.clear();
  }

  private arm(gen: number, keepalive: StreamKeepalive): void {
    const at = this.opts.scheduler.clock.now() + keepalive.everyMs;
    this.deadlines.arm('keepalive', at, () => this.run(gen, keepalive));
  }

  private run(gen: number, keepalive: StreamKeepalive): void {
    let call: Promise<void>;
    try {
      const r = keepalive.run();
      // An Effect's failure is reported as itself (its message), not as the fiber failure wrapping it.
      call = Effect.isEffect(r)
        ? Effect.runPromise(Effect.either(r)).then((x) => {
            if (Either.isLeft(x)) throw x.left;
          })
        : r;
    } catch (e) {
      call = Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
    call.then(
      () => {
        if (gen !== this.generation) return;
        this.opts.logger.debug({ stream: this.opts.name }, 'ws_keepalive_ok');
        this.arm(gen, keepalive);
      },
      (e: unknown) => {
        if (gen !== this.generation) return;
        const message = `keepalive failed: ${e instanceof Error ? e.message : String(e)}`;
        this.opts.logger.warn({ stream: this.opts.name, message }, 'ws_keepalive_failed');
        this.opts.onFailed(message);
      },
    );
  }
}
