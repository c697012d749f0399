import type { Runtime, TimerHandle } from '../../src-core/index.js';
import type { IceServerConfig } from '../contract/device.js';

export interface IceRefresh {
  iceServers: IceServerConfig[];
  /** When to ask again (epoch ms); null: these never expire. */
  refreshAt: number | null;
}

/**
 * Keeps the STUN/TURN servers the window connects with fresh: TURN credentials from the
 * signaling server expire, so they are asked for again (through main) before they do — by a
 * timer, so that an incoming connection (answered at once, by PeerJS) finds valid ones too —
 * and a dial waits for fresh ones when the timer has not run yet (a sleeping laptop, say).
 */
export class IceKeeper {
  private refreshAt: number | null = 0;
  private timer: TimerHandle | undefined;
  private inFlight: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly runtime: Runtime,
    private readonly fetch: () => Promise<IceRefresh>,
    private readonly apply: (iceServers: IceServerConfig[]) => void,
  ) {}

  start(): void {
    void this.refresh();
  }

  /** Undefined when the servers in use are good now; else a promise that settles once refreshed. */
  whenFresh(): Promise<void> | undefined {
    if (this.stopped || this.refreshAt === null || this.runtime.now() < this.refreshAt) return undefined;
    return this.refresh();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.runtime.clearTimer(this.timer);
  }

  private refresh(): Promise<void> {
    this.inFlight ??= this.fetch()
      .then(
        ({ iceServers, refreshAt }) => {
          if (this.stopped) return;
          this.apply(iceServers);
          this.refreshAt = refreshAt;
        },
        // Main already falls back to what is still valid; try again in a while.
        () => {
          this.refreshAt = this.runtime.now() + 30_000;
        },
      )
      .finally(() => {
        this.inFlight = undefined;
        this.schedule();
      });
    return this.inFlight;
  }

  private schedule(): void {
    if (this.timer !== undefined) this.runtime.clearTimer(this.timer);
    this.timer = undefined;
    if (this.stopped || this.refreshAt === null) return;
    this.timer = this.runtime.setTimer(Math.max(1000, this.refreshAt - this.runtime.now()), () => void this.refresh());
  }
}
