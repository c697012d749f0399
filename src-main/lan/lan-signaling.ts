import { electServer, LAN_PROTOCOL_VERSION, type ServerAdvert } from './election.js';
import type { LanDiscovery } from './discovery.js';

export type LanState =
  | { kind: 'searching' }
  | { kind: 'hosting'; serverId: string; port: number }
  | { kind: 'joined'; server: ServerAdvert };

export interface LanSignalingOptions {
  /** This app's server id (random per run; the election's tie-break). */
  serverId: string;
  discovery: LanDiscovery;
  /** Starts the embedded server on the LAN (all interfaces) with this id. */
  startServer: (serverId: string) => Promise<{ port: number; close(): Promise<void> }>;
  /** GET /health of an advertised server: true only if it answers as that Ferry server. */
  checkHealth: (advert: ServerAdvert) => Promise<boolean>;
  onChange: (state: LanState) => void;
  log?: (message: string) => void;
  /** How long to listen for servers before hosting one. */
  discoveryWindowMs?: number;
  /** How often the server in use is health-checked, and how many misses mean it is gone. */
  healthIntervalMs?: number;
  missesBeforeGone?: number;
  /** How long a server that lost the election keeps serving, so its clients can move. */
  handoverMs?: number;
}

/**
 * Zero configuration on a LAN: listen for Ferry servers; use the elected one (lowest id) or, if
 * there is none, host one and advertise it; keep listening and health-checking, so apps converge
 * on one server and re-elect when its host goes away. Decisions only: mDNS, the server and
 * health checks are injected.
 */
export class LanSignaling {
  private stateValue: LanState = { kind: 'searching' };
  private readonly known = new Map<string, { advert: ServerAdvert; misses: number }>();
  private hosted: { port: number; close(): Promise<void> } | undefined;
  private hostingStarting: Promise<void> | undefined;
  private healthTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly options: LanSignalingOptions) {}

  get state(): LanState {
    return this.stateValue;
  }

  async start(): Promise<void> {
    const { discovery } = this.options;
    discovery.onAdvert((advert) => void this.heard(advert));
    discovery.onGone((serverId) => {
      if (!this.known.delete(serverId)) return;
      this.log(`server ${serverId} said goodbye`);
      void this.reelect();
    });
    discovery.refresh();
    await new Promise((resolve) => setTimeout(resolve, this.options.discoveryWindowMs ?? 1500));
    await this.reelect();
    this.healthTimer = setInterval(() => void this.checkCurrent(), this.options.healthIntervalMs ?? 2000);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.healthTimer);
    await this.stopHosting();
    await this.options.discovery.close();
  }

  /** An advertisement: believed only once the server answers its health check as itself. */
  private async heard(advert: ServerAdvert): Promise<void> {
    if (this.closed || advert.serverId === this.options.serverId) return;
    if (advert.version !== LAN_PROTOCOL_VERSION) {
      this.log(`ignoring server ${advert.serverId} at ${advert.host}:${advert.port}: protocol ${advert.version}`);
      return;
    }
    const existing = this.known.get(advert.serverId);
    if (existing && existing.advert.host === advert.host && existing.advert.port === advert.port) return;
    if (!(await this.options.checkHealth(advert))) {
      this.log(`ignoring server ${advert.serverId} at ${advert.host}:${advert.port}: it failed its health check`);
      return;
    }
    this.known.set(advert.serverId, { advert, misses: 0 });
    await this.reelect();
  }

  private async reelect(): Promise<void> {
    if (this.closed) return;
    const own: ServerAdvert[] = this.hosted ? [{ serverId: this.options.serverId, host: '127.0.0.1', port: this.hosted.port, version: LAN_PROTOCOL_VERSION }] : [];
    const elected = electServer([...own, ...[...this.known.values()].map((k) => k.advert)]);
    if (!elected) {
      await this.host();
      return;
    }
    if (elected.serverId === this.options.serverId) {
      this.setState({ kind: 'hosting', serverId: this.options.serverId, port: elected.port });
      return;
    }
    const current = this.stateValue;
    if (current.kind === 'joined' && current.server.serverId === elected.serverId && current.server.host === elected.host && current.server.port === elected.port) return;
    this.setState({ kind: 'joined', server: elected });
    if (this.hosted) {
      // We lost the election: stop advertising now, keep serving a moment so clients move over.
      this.log(`server ${elected.serverId} wins; handing over`);
      const hosted = this.hosted;
      this.hosted = undefined;
      await this.options.discovery.stopAdvertising();
      setTimeout(() => void hosted.close(), this.options.handoverMs ?? 3000);
    }
  }

  private async host(): Promise<void> {
    if (this.hosted || this.closed) return;
    this.hostingStarting ??= (async () => {
      const server = await this.options.startServer(this.options.serverId);
      this.hosted = server;
      this.options.discovery.advertise({ serverId: this.options.serverId, host: '', port: server.port, version: LAN_PROTOCOL_VERSION });
      this.log(`hosting server ${this.options.serverId} on port ${server.port}`);
    })().finally(() => {
      this.hostingStarting = undefined;
    });
    await this.hostingStarting;
    await this.reelect();
  }

  private async stopHosting(): Promise<void> {
    const hosted = this.hosted;
    this.hosted = undefined;
    if (!hosted) return;
    await this.options.discovery.stopAdvertising();
    await hosted.close();
  }

  /** The server in use must keep answering; after enough misses it is gone and we re-elect. */
  private async checkCurrent(): Promise<void> {
    const current = this.stateValue;
    if (this.closed || current.kind !== 'joined') return;
    const entry = this.known.get(current.server.serverId);
    if (!entry) return;
    if (await this.options.checkHealth(entry.advert)) {
      entry.misses = 0;
      return;
    }
    if (++entry.misses < (this.options.missesBeforeGone ?? 2)) return;
    this.log(`server ${entry.advert.serverId} stopped answering`);
    this.known.delete(entry.advert.serverId);
    this.options.discovery.refresh();
    await this.reelect();
  }

  private setState(state: LanState): void {
    const before = JSON.stringify(this.stateValue);
    this.stateValue = state;
    if (JSON.stringify(state) !== before) this.options.onChange(state);
  }

  private log(message: string): void {
    this.options.log?.(message);
  }
}
