import { type NameCard, PEER_ID_PATTERN, type Runtime, type TimerHandle, verifiedCardName } from '../../src-core/index.js';
import type { LanStatus } from '../contract/device.js';
import type { FetchJson } from '../ports/host.js';

/** How often the window asks where the built-in signaling server is now, and who is on it. */
const LAN_POLL_MS = 2000;

/**
 * The built-in server can move between computers (an election) and its peers come and go: this
 * polls main for where it runs and the server for its peer list, and reports changes. A server
 * set by address (a LAN's server where mDNS cannot reach) is followed for its listing alone,
 * when it lists its peers.
 */
export class LanFollower {
  private timer: TimerHandle | undefined;
  private stopped = false;

  constructor(
    private readonly runtime: Runtime,
    private readonly serverUrl: string,
    private readonly ports: { lanStatus(): Promise<LanStatus | null>; fetchJson: FetchJson; nameCard(): Promise<NameCard>; selfId(): string | undefined },
    private readonly report: { status(status: LanStatus | undefined): void; nearby(ids: string[], names: Record<string, string>): void },
    /** A server set by address may list nobody: it says so once (404), and the follower stops. */
    private readonly options: { stopUnlisted?: boolean; token?: string | undefined } = {},
  ) {}

  /** The card last posted (the listing must carry it unchanged, or it goes again). */
  private card: NameCard | undefined;

  /** The device's name changed: its card is signed again and posted at the next poll. */
  renamed(): void {
    this.card = undefined;
  }

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

  /**
   * The server's list of its peers, checked and bounded, with the names their cards prove (a card
   * that does not verify against its id shows no name). This device's own card goes (again)
   * when the listing does not carry it as signed.
   */
  private async fetchNearby(): Promise<void> {
    try {
      const body = (await this.ports.fetchJson(this.endpoint('nearby'), 3000)) as { peers?: unknown; cards?: unknown } | null;
      if (typeof body !== 'object' || body === null) return;
      if (!Array.isArray(body.peers)) return;
      const ids = body.peers.filter((p): p is string => typeof p === 'string' && PEER_ID_PATTERN.test(p)).slice(0, 200);
      const cards = typeof body.cards === 'object' && body.cards !== null ? (body.cards as Record<string, unknown>) : {};
      const names: Record<string, string> = {};
      for (const id of ids) {
        const name = Object.hasOwn(cards, id) ? verifiedCardName(id, cards[id]) : undefined;
        if (name !== undefined) names[id] = name;
      }
      this.report.nearby(ids, names);
      const self = this.ports.selfId();
      if (self !== undefined && ids.includes(self)) await this.postCard(self, cards[self]);
    } catch (error) {
      // It lists nobody (404), or not to us (a token it refuses): asking again changes nothing.
      const status = (error as { status?: unknown }).status;
      if (this.options.stopUnlisted && (status === 404 || status === 400 || status === 401 || status === 403)) this.stop();
      // The server moved or lists nothing: keep what we had until the next round.
    }
  }

  private async postCard(self: string, listed: unknown): Promise<void> {
    if (this.card !== undefined && JSON.stringify(listed) === JSON.stringify(this.card)) return;
    this.card = await this.ports.nameCard();
    await this.ports.fetchJson(this.endpoint('nearby/card'), 3000, this.card);
  }

  /** An endpoint of the server, with this device's id and the server's access token (as /ice takes them). */
  private endpoint(path: string): string {
    const self = this.ports.selfId();
    const query = [...(self === undefined ? [] : [`peer=${encodeURIComponent(self)}`]), ...(this.options.token === undefined ? [] : [`token=${encodeURIComponent(this.options.token)}`])];
    return `${new URL(path, this.serverUrl).href}${query.length > 0 ? `?${query.join('&')}` : ''}`;
  }
}
