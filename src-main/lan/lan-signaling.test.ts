import { afterEach, describe, expect, it } from 'vitest';
import type { ServerAdvert } from './election.js';
import { type LanState, LanSignaling } from './lan-signaling.js';
import { type MemoryDiscovery, MemoryDiscoveryBus } from './memory-discovery.js';

/** Servers "running" on the fake network: host:port → server id, while alive. */
const alive = new Map<string, string>();
const apps: Array<{ lan: LanSignaling; discovery: MemoryDiscovery; states: LanState[] }> = [];
let nextPort = 9000;

function app(bus: MemoryDiscoveryBus, host: string, serverId: string) {
  const discovery = bus.join(host);
  const states: LanState[] = [];
  const lan = new LanSignaling({
    serverId,
    discovery,
    startServer: async (id) => {
      const port = nextPort++;
      alive.set(`${host}:${port}`, id);
      return { port, close: async () => void alive.delete(`${host}:${port}`) };
    },
    checkHealth: async (advert: ServerAdvert) => alive.get(`${advert.host}:${advert.port}`) === advert.serverId,
    onChange: (state) => states.push(state),
    discoveryWindowMs: 40,
    healthIntervalMs: 20,
    handoverMs: 30,
  });
  const entry = { lan, discovery, states };
  apps.push(entry);
  return entry;
}

const serverOf = (state: LanState) => (state.kind === 'hosting' ? state.serverId : state.kind === 'joined' ? state.server.serverId : undefined);
const until = async (check: () => boolean, what: string) => {
  const deadline = Date.now() + 3000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.lan.close()));
  alive.clear();
});

describe('LanSignaling', () => {
  it('hosts when alone; later apps join that server', async () => {
    const bus = new MemoryDiscoveryBus();
    const a = app(bus, '10.0.0.1', 'mmmmmmmmmmmmmmmm');
    await a.lan.start();
    expect(a.lan.state).toMatchObject({ kind: 'hosting', serverId: 'mmmmmmmmmmmmmmmm' });
    // A later app with a lower id joins instead of taking over: the running server wins only
    // by being there; the election is among what is advertised.
    const b = app(bus, '10.0.0.2', 'zzzzzzzzzzzzzzzz');
    const c = app(bus, '10.0.0.3', 'cccccccccccccccc');
    await Promise.all([b.lan.start(), c.lan.start()]);
    expect(b.lan.state).toMatchObject({ kind: 'joined', server: { serverId: 'mmmmmmmmmmmmmmmm', host: '10.0.0.1' } });
    expect(c.lan.state).toMatchObject({ kind: 'joined', server: { serverId: 'mmmmmmmmmmmmmmmm' } });
  });

  it('apps that start at the same instant converge on one server (the lowest id)', async () => {
    const bus = new MemoryDiscoveryBus();
    const all = [app(bus, '10.0.0.1', 'pppppppppppppppp'), app(bus, '10.0.0.2', 'cccccccccccccccc'), app(bus, '10.0.0.3', 'tttttttttttttttt')];
    await Promise.all(all.map((a) => a.lan.start()));
    await until(() => all.every((a) => serverOf(a.lan.state) === 'cccccccccccccccc'), 'everyone uses cccc');
    expect(all[1]?.lan.state.kind).toBe('hosting');
    // The losers stopped serving after the handover.
    await until(() => [...alive.values()].every((id) => id === 'cccccccccccccccc'), 'only one server runs');
  });

  it('re-elects when the host vanishes without a goodbye', async () => {
    const bus = new MemoryDiscoveryBus();
    const a = app(bus, '10.0.0.1', 'aaaaaaaaaaaaaaaa');
    await a.lan.start();
    const b = app(bus, '10.0.0.2', 'kkkkkkkkkkkkkkkk');
    const c = app(bus, '10.0.0.3', 'dddddddddddddddd');
    await Promise.all([b.lan.start(), c.lan.start()]);
    expect(serverOf(b.lan.state)).toBe('aaaaaaaaaaaaaaaa');
    // A sleeps: no goodbye, its server stops answering.
    a.discovery.vanish();
    for (const [where, id] of alive) if (id === 'aaaaaaaaaaaaaaaa') alive.delete(where);
    await until(() => serverOf(b.lan.state) === 'dddddddddddddddd' && serverOf(c.lan.state) === 'dddddddddddddddd', 'b and c re-elect d');
    expect(c.lan.state.kind).toBe('hosting');
  });

  it('ignores an advertisement whose server does not answer as itself', async () => {
    const bus = new MemoryDiscoveryBus();
    bus.announce({ serverId: 'aaaaaaaaaaaaaaaa', host: '10.6.6.6', port: 666, version: 1 }); // nothing runs there
    const logs: string[] = [];
    const b = app(bus, '10.0.0.2', 'kkkkkkkkkkkkkkkk');
    (b.lan as unknown as { options: { log: (m: string) => void } }).options.log = (m) => logs.push(m);
    await b.lan.start();
    b.discovery.hear({ serverId: 'aaaaaaaaaaaaaaaa', host: '10.6.6.6', port: 666, version: 1 });
    b.discovery.hear({ serverId: 'bbbbbbbbbbbbbbbb', host: '10.6.6.7', port: 667, version: 9 });
    await until(() => logs.length >= 2, 'both rogues are logged');
    expect(b.lan.state).toMatchObject({ kind: 'hosting', serverId: 'kkkkkkkkkkkkkkkk' });
    expect(logs.join('\n')).toMatch(/10\.6\.6\.6:666: it failed its health check/);
    expect(logs.join('\n')).toMatch(/protocol 9/);
  });
});
