import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { Lab } from './lab.js';
import { canUseNetns, ip, listNamespaces, namespaceName } from './netns.js';
import { isAlive } from './processes.js';

const labs: Lab[] = [];
afterEach(async () => {
  for (const lab of labs.splice(0)) await lab.dispose();
});

function create(hosts: string[], hostNetwork = false): Lab {
  const lab = Lab.create({ hosts, hostNetwork });
  labs.push(lab);
  return lab;
}

const TCP_SERVER = `require('net').createServer(s => { s.end('pong from ' + process.argv[1]); }).listen(7000, '0.0.0.0', () => console.log('listening'))`;
const TCP_CLIENT = `const s = require('net').connect(7000, process.argv[1]); s.on('data', d => { console.log(String(d)); process.exit(0); }); s.on('error', e => { console.log('error ' + e.code); process.exit(1); })`;

describe('the network lab', () => {
  // As root the lab builds namespaces; elsewhere it runs on the host network and these
  // namespace-specific checks do not apply.
  it.skipIf(!canUseNetns())('gives every host its own namespace, address and default route, all on one bridge', async () => {
    const lab = create(['one', 'two']);
    expect(lab.mode).toBe('netns');
    for (const name of ['one', 'two']) {
      const host = lab.host(name);
      expect(ip(['-n', host.netns!, 'route', 'show', 'default'])).toMatch(/default dev eth0/);
      expect(ip(['-n', host.netns!, '-4', 'addr', 'show', 'eth0'])).toContain(host.address);
    }
    const server = lab.host('one').spawn('tcp-server', process.execPath, ['-e', TCP_SERVER, 'one']);
    await server.waitForLine(/listening/, 10_000);
    const client = lab.host('two').spawn('tcp-client', process.execPath, ['-e', TCP_CLIENT, lab.host('one').address]);
    expect(await client.waitForLine(/pong|error/, 10_000)).toBe('pong from one');
    // The host's own network cannot see the lab's addresses.
    expect(ip(['-4', 'addr', 'show'])).not.toContain(lab.host('one').address);
  });

  it.each([
    ['in namespaces (as root)', false],
    ['on the host network (a laptop)', true],
  ])('stops every process by PID and removes every namespace, %s', async (_mode, hostNetwork) => {
    const lab = create(['alpha', 'beta'], hostNetwork);
    const sleepers = ['alpha', 'beta'].map((h) =>
      lab.host(h).spawn(`sleeper-${h}`, process.execPath, ['-e', 'process.on("SIGTERM", () => {}); setInterval(() => {}, 1000); console.log("up")']),
    );
    await Promise.all(sleepers.map((p) => p.waitForLine(/up/, 10_000)));
    const namespaces = [...lab.namespaceNames];
    // These ignore SIGTERM: dispose must escalate to SIGKILL.
    await lab.dispose();
    for (const p of sleepers) expect(isAlive(p.pid)).toBe(false);
    if (canUseNetns()) {
      const left = listNamespaces();
      for (const ns of namespaces) expect(left).not.toContain(ns);
    }
  });

  it.skipIf(!canUseNetns())('removes namespaces abandoned by a test process that died', () => {
    const deadPid = Number(execFileSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' }).trim());
    expect(isAlive(deadPid)).toBe(false);
    const abandoned = namespaceName(deadPid, 1, 'orphan');
    ip(['netns', 'add', abandoned]);
    create(['fresh']);
    expect(listNamespaces()).not.toContain(abandoned);
  });

  it.skipIf(!canUseNetns())('puts hosts behind a NAT: they reach the bridge from its public address, and nothing reaches them unasked', async () => {
    const lab = Lab.create({ hosts: ['pub', 'router'], nat: { router: { inside: ['home'], mode: 'masquerade' } } });
    labs.push(lab);
    const home = lab.host('home');
    expect(home.address).toMatch(/^192\.168\.1\./);
    expect(lab.publicAddressOf('home')).toBe(lab.host('router').address);
    expect(lab.publicAddressOf('pub')).toBe(lab.host('pub').address);
    expect(lab.natOf('home')).toMatchObject({ host: 'router', mode: 'masquerade', inside: ['home'] });
    expect(ip(['-n', home.netns!, 'route', 'show', 'default'])).toMatch(/default via 192\.168\.1\.1 dev eth0/);
    // Who the bridge sees: the router.
    const whoAmI = `require('net').createServer(s => s.end(s.remoteAddress)).listen(7000, '0.0.0.0', () => console.log('listening'))`;
    const server = lab.host('pub').spawn('who-server', process.execPath, ['-e', whoAmI]);
    await server.waitForLine(/listening/, 10_000);
    const fromHome = home.spawn('tcp-client', process.execPath, ['-e', TCP_CLIENT, lab.host('pub').address]);
    expect(await fromHome.waitForLine(/\d|error/, 10_000)).toBe(lab.host('router').address);
    // Nothing comes in unasked: not to the inside address, not through the router's public one.
    const homeServer = home.spawn('tcp-server', process.execPath, ['-e', TCP_SERVER, 'home']);
    await homeServer.waitForLine(/listening/, 10_000);
    const timeout = `setTimeout(() => { console.log('error TIMEOUT'); process.exit(1); }, 1500);`;
    for (const target of [home.address, lab.host('router').address]) {
      const client = lab.host('pub').spawn('tcp-client', process.execPath, ['-e', `${timeout}${TCP_CLIENT}`, target]);
      expect(await client.waitForLine(/pong|error/, 10_000)).toMatch(/^error /);
    }
  });
});
