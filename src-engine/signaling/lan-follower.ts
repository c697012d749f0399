import { PEER_ID_PATTERN, type Runtime, type TimerHandle } from '../../src-core/index.js';
import type { LanStatus } from '../contract/device.js';
import type { FetchJson } from '../ports/host.js';

/** How often the window asks where the built-in signaling server is now, and who is on it. */
const LAN_POLL_MS = 2000;

/**
 * The built-in server can move between computers (an election) and its peers come and go: this
 * polls main for where it runs and the server for its peer list, and reports changes.
 */
export class LanFollower {
  private timer: TimerHandle | undefined;
  private stopped = false;

  constructor(
    private readonly runtime: Runtime,
    private readonly serverUrl: string,
    private readonly ports: { lanStatus(): Promise<LanStatus | null>; fetchJson: FetchJson },
    private readonly report: { status(status: LanStatus | undefined): void; nearby(ids: string[]): void },
  ) {}

  start(): void {
    const every = () => {
      if (this.stopped) return;
      void this.poll().finally(() => {
        if (!this.stopped) this.timer = this.runtime.setTimer(LAN_POLL_MS, every);
      });
    };
    every();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.runtime.clearTimer(this.timer);
  }

  private async poll(): Promise<void> {
    await Promise.all([
      this.ports.lanStatus().then(
        (status) => this.report.status(status ?? undefined),
        () => {},
      ),
      this.fetchNearby(),
    ]);
  }

  /** The server's list of its peers: ids only, checked and bounded. */
  private async fetchNearby(): Promise<void> {
    try {
      const body = (await this.ports.fetchJson(new URL('nearby', this.serverUrl).href, 3000)) as { peers?: unknown } | null;
      if (typeof body !== 'object' || body === null) return;
      if (!Array.isArray(body.peers)) return;
      this.report.nearby(body.peers.filter((p): p is string => typeof p === 'string' && PEER_ID_PATTERN.test(p)).slice(0, 200));
    } catch {
      // The server moved or lists nothing: keep what we had until the next round.
    }
  }
}
