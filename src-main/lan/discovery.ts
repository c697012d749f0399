import { Bonjour, type Browser, type Service } from 'bonjour-service';
import type { ServerAdvert } from './election.js';

/** The DNS-SD service type: `_ferry._tcp`. */
export const SERVICE_TYPE = 'ferry';

/** Finds and announces LAN signaling servers. An interface so tests can stand in for mDNS. */
export interface LanDiscovery {
  /** Announces our own server until stopAdvertising() or close(). */
  advertise(advert: ServerAdvert): void;
  stopAdvertising(): Promise<void>;
  /** Every advertisement heard (again) and every goodbye. */
  onAdvert(listener: (advert: ServerAdvert) => void): void;
  onGone(listener: (serverId: string) => void): void;
  /** Asks the network again (after a server went away, say). */
  refresh(): void;
  close(): Promise<void>;
}

/**
 * DNS-SD over mDNS (bonjour-service): `_ferry._tcp` with the protocol version and server id in
 * TXT. What an advertisement claims is only a hint: the caller health-checks it before use.
 */
export function createMdnsDiscovery(onError: (error: unknown) => void = () => {}): LanDiscovery {
  const bonjour = new Bonjour({}, (error: unknown) => onError(error));
  let published: Service | undefined;
  const advertListeners = new Set<(advert: ServerAdvert) => void>();
  const goneListeners = new Set<(serverId: string) => void>();
  const browser: Browser = bonjour.find({ type: SERVICE_TYPE, protocol: 'tcp' });
  const heard = (service: Service) => {
    const advert = advertOf(service);
    if (advert) for (const listener of advertListeners) listener(advert);
  };
  browser.on('up', heard);
  browser.on('txt-update', heard);
  browser.on('srv-update', heard);
  browser.on('down', (service: Service) => {
    const id = txtValue(service, 'id');
    if (id) for (const listener of goneListeners) listener(id);
  });
  return {
    advertise(advert) {
      published = bonjour.publish({
        name: `Ferry ${advert.serverId}`,
        type: SERVICE_TYPE,
        protocol: 'tcp',
        port: advert.port,
        txt: { v: String(advert.version), id: advert.serverId },
        disableIPv6: true,
      });
      published.on('error', onError);
    },
    stopAdvertising() {
      const service = published;
      published = undefined;
      return new Promise<void>((resolve) => (service ? service.stop?.(() => resolve()) : resolve()));
    },
    onAdvert(listener) {
      advertListeners.add(listener);
    },
    onGone(listener) {
      goneListeners.add(listener);
    },
    refresh() {
      browser.update();
    },
    async close() {
      await this.stopAdvertising();
      browser.stop();
      await new Promise<void>((resolve) => bonjour.destroy(() => resolve()));
    },
  };
}

function txtValue(service: Service, key: string): string | undefined {
  const txt = service.txt as Record<string, unknown> | undefined;
  const value = txt?.[key];
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  return undefined;
}

/** An advertisement as data, or undefined when it lacks what a Ferry server announces. */
function advertOf(service: Service): ServerAdvert | undefined {
  const serverId = txtValue(service, 'id');
  const version = Number(txtValue(service, 'v'));
  const ipv4 = /^\d{1,3}(\.\d{1,3}){3}$/;
  const host = service.referer?.family === 'IPv4' && ipv4.test(service.referer.address) ? service.referer.address : service.addresses?.find((a) => ipv4.test(a));
  if (!serverId || !Number.isInteger(version) || !host || !Number.isInteger(service.port) || service.port <= 0 || service.port > 65535) return undefined;
  return { serverId, host, port: service.port, version };
}
