import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './lab/chromium.js';
import type { FerryPage } from './lab/ferry-page.js';
import { Lab, type NatMode } from './lab/lab.js';
import { canUseNetns } from './lab/netns.js';
import { type Coturn, startCoturn } from './support/coturn.js';
import { acceptAndWait, connectFerryPair, type FerryPair, offerFile, withPairLogs } from './support/ferry-pair.js';
import { startSignalHost } from './support/signal-host.js';
import { runProbe, startStunResponder } from './support/turn-probe.js';
import { waitForText } from './support/wait.js';

const FILE_BYTES = 2 * 1024 * 1024 + 7;

/*
 * The public bridge holds the signaling server, coturn and the two NAT routers; Alice sits behind
 * nata, Bob behind natb, each on a private 192.168.x.0/24 of their own. The apps use what /ice
 * hands out (coturn's STUN, and TURN with credentials), with the default policy (not relay only):
 * ICE picks the path, and the app says which one it got.
 */
// Retried: libdatachannel 0.24.5 (node-datachannel 0.33.4, the newest on npm) can deadlock two of
// its threads during a DTLS handshake over a TURN relay (fixed upstream after it, libdatachannel
// PR #1630), freezing that app's engine (~1 run in 10–15 here); each case starts its own apps.
describe.skipIf(!canUseNetns())('two apps behind separate NATs, through the public signaling host', { retry: 2 }, () => {
  let lab: Lab;
  let coturn: Coturn;
  let signal: Awaited<ReturnType<typeof startSignalHost>>;
  let secondStun: string;
  const browsers: { alice?: Browser; bob?: Browser } = {};
  let root: string;
  let run = 0;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'ferry-e2e-nat-'));
    lab = Lab.create({
      hosts: ['signal', 'turn', 'nata', 'natb'],
      nat: { nata: { inside: ['alice'], mode: 'masquerade' }, natb: { inside: ['bob'], mode: 'masquerade' } },
    });
    coturn = await startCoturn(lab.host('turn'));
    signal = await startSignalHost(lab.host('signal'), 0, ['--stun', coturn.stunUrl, '--turn-url', coturn.turnUrl, '--turn-secret', coturn.secret, '--log-level', 'debug']);
    // A second STUN endpoint, to see whether a NAT maps one socket the same way for two destinations.
    secondStun = (await startStunResponder(lab.host('signal'), 3478)).endpoint;
    const [alice, bob] = await Promise.all([launchChromium(lab.host('alice')), launchChromium(lab.host('bob'))]);
    browsers.alice = alice;
    browsers.bob = bob;
  });

  afterAll(async () => {
    await Promise.all(Object.values(browsers).map((b) => b.close().catch(() => {})));
    await lab?.dispose();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  /** What the signaling server logged about a peer: the address each line names. */
  const addressesSeenBySignal = (peerId: string): string[] =>
    signal.process.log
      .split('\n')
      .filter((line) => line.startsWith('{') && line.includes(`"peer":"${peerId}"`))
      .map((line) => (JSON.parse(line) as { ip?: string }).ip)
      .filter((ip): ip is string => ip !== undefined)
      .map((ip) => ip.replace(/^::ffff:/, ''));

  /** Quits both apps: leaving the page closes the connections (and releases TURN allocations). */
  async function quit(pair: FerryPair): Promise<void> {
    for (const page of [pair.alice, pair.bob] as FerryPage[]) {
      await page.page.goto('about:blank').catch(() => {});
      await page.context.close().catch(() => {});
      await page.main.stop();
    }
  }

  it.each<[NatMode, NatMode, string]>([
    ['masquerade', 'masquerade', 'Direct'],
    ['symmetric', 'masquerade', 'Relayed'],
    ['symmetric', 'symmetric', 'Relayed'],
  ])('Alice behind a %s NAT, Bob behind a %s NAT: "%s", and a file arrives byte-identical', async (nata, natb, path) => {
    const n = ++run;
    lab.setNatMode('nata', nata);
    lab.setNatMode('natb', natb);

    // The NATs are real and behave as named: from one socket, two STUN servers see the router's
    // public address, never the inside one; the same port for both (and the socket's own) when
    // masquerading, a different one per destination when symmetric.
    for (const [side, mode] of [['alice', nata], ['bob', natb]] as const) {
      const { local, mapped } = await runProbe(lab.host(side), { cmd: 'mapping', servers: [coturn.endpoint, secondStun] });
      const publicAddress = lab.publicAddressOf(side);
      expect(publicAddress).not.toBe(lab.host(side).address);
      expect(mapped.map((m) => m.address)).toEqual([publicAddress, publicAddress]);
      if (mode === 'masquerade') expect(mapped.map((m) => m.port)).toEqual([local, local]);
      else expect(mapped[0]?.port).not.toBe(mapped[1]?.port);
    }

    const pair = await connectFerryPair({
      lab,
      browsers: browsers as { alice: Browser; bob: Browser },
      signalingUrl: signal.url,
      downloadDirs: { alice: join(root, `alice-${n}`), bob: join(root, `bob-${n}`) },
    });
    const ids = {
      alice: (await pair.alice.page.getByRole('status', { name: 'Your device id' }).textContent()) ?? '',
      bob: (await pair.bob.page.getByRole('status', { name: 'Your device id' }).textContent()) ?? '',
    };
    try {
      await withPairLogs(pair, async () => {
        await waitForText(pair.alice.page.getByRole('status', { name: 'Path to Bob' }), new RegExp(`^${path}$`));
        await waitForText(pair.bob.page.getByRole('status', { name: 'Path to Alice' }), new RegExp(`^${path}$`));
        const file = join(root, `through-nat-${n}.bin`);
        const bytes = randomBytes(FILE_BYTES);
        writeFileSync(file, bytes);
        await offerFile(pair, file, `through-nat-${n}.bin`);
        expect((await acceptAndWait(pair, `through-nat-${n}.bin`, 60_000)).state).toMatch(/Done, verified/);
        expect(readFileSync(join(root, `bob-${n}`, `through-nat-${n}.bin`)).equals(bytes)).toBe(true);
      });
    } finally {
      await quit(pair);
    }

    // The signaling server only ever saw each app at its NAT's public address.
    expect(new Set(addressesSeenBySignal(ids.alice))).toEqual(new Set([lab.publicAddressOf('alice')]));
    expect(new Set(addressesSeenBySignal(ids.bob))).toEqual(new Set([lab.publicAddressOf('bob')]));
    // So did coturn (both apps allocate relays whatever the path: ICE gathers every kind). And the
    // bytes went where the app said: through the relays, or (nearly) none of them.
    const relaysOf = (id: string) => coturn.sessions().filter((s) => s.username.endsWith(`:${id}`));
    await expect.poll(() => [...relaysOf(ids.alice), ...relaysOf(ids.bob)].every((s) => s.closed), { timeout: 15_000 }).toBe(true);
    for (const side of ['alice', 'bob'] as const) {
      expect(relaysOf(ids[side]).length).toBeGreaterThan(0);
      expect(new Set(relaysOf(ids[side]).map((s) => s.remote?.split(':')[0]))).toEqual(new Set([lab.publicAddressOf(side)]));
    }
    const relayed = [...relaysOf(ids.alice), ...relaysOf(ids.bob)].reduce((sum, s) => sum + s.peerBytes.received + s.peerBytes.sent, 0);
    if (path === 'Direct') expect(relayed).toBeLessThan(FILE_BYTES / 10);
    else expect(relayed).toBeGreaterThan(FILE_BYTES);
  });
});
