import { deviceView } from './support/ferry-window.js';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultSettings } from '../src-main/settings/schema.js';
import { launchChromium } from './lab/chromium.js';
import { type FerryPage, openFerryPage } from './lab/ferry-page.js';
import { Lab } from './lab/lab.js';
import { canUseNetns } from './lab/netns.js';
import { type Coturn, startCoturn } from './support/coturn.js';
import { acceptAndWait, connectFerryPair, type FerryPair, offerFile, withPairLogs } from './support/ferry-pair.js';
import { startSignalHost } from './support/signal-host.js';
import { fetchIce, runProbe } from './support/turn-probe.js';
import { waitForText } from './support/wait.js';

/**
 * ferry-signal's shortest --turn-ttl (TURN_TTL_BOUNDS.minSeconds: a minute, for clock skew). The
 * app asks /ice again a fifth of the lifetime, and at least a minute, before expiry: with 60 s
 * that is every 5 s (the floor), so the refreshes show up at once, while waiting for the first
 * credentials to expire takes most of this file's run time.
 */
const TTL_SECONDS = 60;
/** A peer id of the test's own, for the credential it checks against coturn itself. */
const PROBE_PEER = 'ferry-probeprobeprobep';
const FILE_BYTES = 4 * 1024 * 1024 + 123;

interface IceServed {
  peer: string;
  expiresAt: number;
}

describe.skipIf(!canUseNetns())('TURN: two relay-only apps through coturn, with short-lived credentials from /ice', () => {
  let lab: Lab;
  let coturn: Coturn;
  let signal: Awaited<ReturnType<typeof startSignalHost>>;
  const browsers: Partial<Record<'alice' | 'bob', Browser>> = {};
  let pair: FerryPair;
  let root: string;
  let ids: { alice: string; bob: string };
  let early: Awaited<ReturnType<typeof fetchIce>>;

  /** The signaling server's debug log: each /ice answer with TURN credentials, by peer. */
  const iceServed = (): IceServed[] =>
    signal.process.log
      .split('\n')
      .filter((line) => line.includes('ice servers with TURN credentials served'))
      .map((line) => JSON.parse(line) as IceServed);
  /** What main told about its /ice requests (e2e/hosts/main-host.ts). */
  const mainFetches = (page: FerryPage) =>
    page.main.log
      .split('\n')
      .filter((line) => line.includes('"event":"ice-fetched"'))
      .map((line) => JSON.parse(line) as { expiresAt: number; usernames: string[] });
  const settingsFile = (side: 'alice' | 'bob') => join(root, `${side}-settings.json`);
  const pathTo = (page: FerryPage, name: string) => page.page.getByRole('status', { name: `Path to ${name}` });

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'ferry-e2e-turn-'));
    lab = Lab.create({ hosts: ['signal', 'turn', 'alice', 'bob'] });
    coturn = await startCoturn(lab.host('turn'));
    signal = await startSignalHost(lab.host('signal'), 0, [
      '--stun', coturn.stunUrl,
      '--turn-url', coturn.turnUrl,
      '--turn-secret', coturn.secret,
      '--turn-ttl', `${TTL_SECONDS}s`,
      '--log-level', 'debug',
    ]);
    // A credential from /ice as the app gets one, checked against coturn now and after it expires.
    early = await fetchIce(lab.host('signal'), signal.url, PROBE_PEER);
    const [alice, bob] = await Promise.all([launchChromium(lab.host('alice')), launchChromium(lab.host('bob'))]);
    browsers.alice = alice;
    browsers.bob = bob;
    // "Relay only" on both, set the way the settings panel saves it.
    for (const [side, name] of [['alice', 'Alice'], ['bob', 'Bob']] as const) {
      writeFileSync(settingsFile(side), JSON.stringify({ ...defaultSettings(name), relayOnly: true }));
    }
    pair = await connectFerryPair({
      lab,
      browsers: { alice, bob },
      signalingUrl: signal.url,
      downloadDirs: { alice: join(root, 'alice-downloads'), bob: join(root, 'bob-downloads') },
      alice: { settingsFile: settingsFile('alice') },
      bob: { settingsFile: settingsFile('bob') },
    });
    ids = {
      alice: (await pair.alice.page.getByRole('status', { name: 'Your device id' }).textContent()) ?? '',
      bob: (await pair.bob.page.getByRole('status', { name: 'Your device id' }).textContent()) ?? '',
    };
  });

  afterAll(async () => {
    await Promise.all(Object.values(browsers).map((b) => b.close().catch(() => {})));
    await lab?.dispose();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('relay only: both apps say "Relayed", a file arrives byte-identical, coturn allocated for each peer id', async () => {
    expect(early.ttl).toBe(TTL_SECONDS);
    expect(early.iceServers).toEqual([{ urls: coturn.stunUrl }, { urls: coturn.turnUrl, username: early.turn.username, credential: early.turn.credential }]);
    // The credential is good now (coturn grants an allocation with it).
    expect(await runProbe(lab.host('signal'), { cmd: 'allocate', server: coturn.endpoint, username: early.turn.username, password: early.turn.credential })).toMatchObject({
      ok: true,
      relayed: { address: coturn.address },
    });

    await waitForText(pathTo(pair.alice, 'Bob'), /^Relayed$/);
    await waitForText(pathTo(pair.bob, 'Alice'), /^Relayed$/);

    const file = join(root, 'relayed.bin');
    const bytes = randomBytes(FILE_BYTES);
    writeFileSync(file, bytes);
    const { state, seconds } = await withPairLogs(pair, async () => {
      await offerFile(pair, file, 'relayed.bin');
      return acceptAndWait(pair, 'relayed.bin', 60_000);
    });
    expect(state).toMatch(/Done, verified/);
    expect(readFileSync(join(root, 'bob-downloads', 'relayed.bin')).equals(bytes)).toBe(true);
    console.log(`relay-only transfer of ${FILE_BYTES} bytes: ${seconds.toFixed(2)} s`);

    // Each app's allocations carry its own peer id in the REST username ("<expiry>:<peer id>").
    const users = coturn.sessions().map((s) => s.username);
    for (const id of [ids.alice, ids.bob]) expect(users.some((u) => new RegExp(`^\\d+:${id}$`).test(u)), `${id} in ${users.join(', ')}`).toBe(true);
    expect(users.every((u) => /^\d+:ferry-[a-z2-7]{16}$/.test(u))).toBe(true);
  });

  it('an expired credential is refused by coturn; the apps asked /ice again, and a relayed connection after expiry works', async () => {
    // Wait out the first credentials: the test's own and the first each app got.
    const firstOf = (id: string) => Math.min(...iceServed().filter((s) => s.peer === id).map((s) => s.expiresAt));
    const expiry = Math.max(early.expiresAt as number, firstOf(ids.alice), firstOf(ids.bob));
    const waitMs = expiry * 1000 + 1500 - Date.now();
    expect(waitMs).toBeLessThan((TTL_SECONDS + 10) * 1000);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, waitMs)));

    // coturn refuses the credential it accepted a minute ago: 401, for nothing but its age (a
    // credential for the same peer from /ice now is granted).
    const refused = await runProbe(lab.host('signal'), { cmd: 'allocate', server: coturn.endpoint, username: early.turn.username, password: early.turn.credential });
    expect(refused).toMatchObject({ ok: false, code: 401 });
    expect(coturn.process.log).toContain(`user <${early.turn.username}>: incoming packet message processed, error 401`);
    const now = await fetchIce(lab.host('signal'), signal.url, PROBE_PEER);
    expect(now.turn.username).not.toBe(early.turn.username);
    expect(await runProbe(lab.host('signal'), { cmd: 'allocate', server: coturn.endpoint, username: now.turn.username, password: now.turn.credential })).toMatchObject({ ok: true });

    // Both apps asked /ice again before their credentials ran out (main refreshes 5 s ahead of
    // a fifth of the lifetime, here the 5 s floor), and hold one that is still good.
    for (const side of ['alice', 'bob'] as const) {
      const served = iceServed().filter((s) => s.peer === ids[side]);
      expect(served.length, `/ice answers for ${side}`).toBeGreaterThanOrEqual(3);
      const fetched = mainFetches(pair[side]);
      expect(fetched.length).toBeGreaterThanOrEqual(3);
      expect(fetched.at(-1)?.expiresAt).toBeGreaterThan(Date.now() / 1000 + 30);
      expect(fetched.at(-1)?.usernames).toEqual([`${fetched.at(-1)?.expiresAt}:${ids[side]}`]);
    }

    // Bob quits: coturn closes his relay and reports what it carried (the file went through it).
    // Leaving the page closes its connections, and Chromium releases its TURN allocations.
    await pair.bob.page.goto('about:blank');
    await pair.bob.context.close();
    await pair.bob.main.stop();
    const bobsRelays = () => coturn.sessions().filter((s) => s.username.endsWith(`:${ids.bob}`));
    await expect.poll(() => bobsRelays().every((s) => s.closed), { timeout: 15_000 }).toBe(true);
    // What Bob's relays got from Alice's: the file and then some (framing, SCTP, DTLS).
    expect(bobsRelays().reduce((n, s) => n + s.peerBytes.received, 0)).toBeGreaterThan(FILE_BYTES);
    // coturn saw Bob at his own address (no NAT here).
    expect(new Set(bobsRelays().map((s) => s.remote?.split(':')[0]))).toEqual(new Set([lab.host('bob').address]));

    // Bob starts again (same identity, relay only) and dials Alice, who has run past her first
    // credential: she answers with the one she refreshed, or gathers no relay candidate at all.
    const sessionsBefore = coturn.sessions().length;
    pair.bob = await openFerryPage(browsers.bob as Browser, lab.host('bob'), {
      deviceName: 'Bob',
      signalingUrl: signal.url,
      downloadDir: join(root, 'bob-downloads'),
      settingsFile: settingsFile('bob'),
    });
    await waitForText(pair.bob.page.getByRole('status', { name: 'Signaling connection' }), /^Connected$/, 30_000);
    await pair.bob.page.getByRole('textbox', { name: 'Device id to connect to' }).fill(ids.alice);
    await pair.bob.page.getByRole('button', { name: 'Connect', exact: true }).click();
    await waitForText(pair.bob.page.getByRole('status', { name: 'Connection to Alice' }), /^Connected$/, 30_000);
    await waitForText(pathTo(pair.bob, 'Alice'), /^Relayed$/);
    await waitForText(pathTo(pair.alice, 'Bob'), /^Relayed$/);
    pair.bobChat = deviceView(pair.bob.page, 'Alice');

    const aliceFirst = firstOf(ids.alice);
    const fresh = coturn.sessions().slice(sessionsBefore).filter((s) => s.username.endsWith(`:${ids.alice}`));
    expect(fresh.length).toBeGreaterThan(0);
    for (const s of fresh) expect(Number(s.username.split(':')[0])).toBeGreaterThan(aliceFirst);

    const again = join(root, 'after-expiry.bin');
    const bytes = randomBytes(512 * 1024);
    writeFileSync(again, bytes);
    const after = await withPairLogs(pair, async () => {
      await offerFile(pair, again, 'after-expiry.bin');
      return acceptAndWait(pair, 'after-expiry.bin', 30_000);
    });
    expect(after.state).toMatch(/Done, verified/);
    expect(readFileSync(join(root, 'bob-downloads', 'after-expiry.bin')).equals(bytes)).toBe(true);
  });
});
