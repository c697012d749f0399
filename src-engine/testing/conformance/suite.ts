import { appendFile, mkdtemp, readdir, rm, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DELIVERY_MODES, encodeControl, encodeDataFrame, type TransferMessage } from '../../../src-core/index.js';
import type { Conversation, EngineSnapshot, LinkDiagnostics, TransferRow } from '../../index.js';
import type { ConformanceDevice, ConformancePair, Side } from './device.js';
import { makeTree, readTree, subtree } from './trees.js';

/*
 * One conformance suite for the engine, run over every pair of devices it meets: two engines on
 * the memory network (with faults and hostile input), Node and Node on node-datachannel, Node on
 * node-datachannel and Node on @roamhq/wrtc, a Chromium page and a Node engine. The suite is a
 * view of both devices: it sends the engines' own commands, reads their snapshots, picks real
 * files and compares what lands on disk byte for byte.
 *
 * The cases run in order on one pair, as two people would use two devices: pair by code (a paired
 * session, striped), unpair (refused in words), meet again unpaired by both dialing at once
 * (glare), then messages and transfers of every kind; the pair's faults last.
 */

export interface EngineConformanceOptions {
  /** Makes the two devices (once for the suite); the suite closes them. */
  createPair: () => Promise<ConformancePair>;
  /** Bytes of the file that shows striping and is cancelled mid-way: big enough to take a while. */
  largeBytes?: number;
  /** Per case. */
  timeoutMs?: number;
  /** The pair owns its wire (pair.faults): run the fault and hostile-input cases too. */
  faults?: boolean;
  /** Both devices keep resumable downloads (a journal on disk); false skips the pause/resume case. */
  resume?: boolean;
}

const conversationWith = (snapshot: EngineSnapshot, peerId: string): Conversation | undefined => snapshot.conversations.find((c) => c.peerId === peerId);
const isEnded = (row: TransferRow) => row.state === 'done' || row.state === 'failed' || row.state === 'cancelled' || row.state === 'declined';

/** Bounds a wait with a message that says what did not happen. */
async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export function defineEngineConformance(name: string, options: EngineConformanceOptions): void {
  const large = options.largeBytes ?? 24 * 1024 * 1024 + 4321;
  const timeout = options.timeoutMs ?? 60_000;

  describe(`engine conformance: ${name}`, () => {
    let pair: ConformancePair;
    let sources: string;
    const ids = { a: '', b: '' };
    const device = (side: Side): ConformanceDevice => (side === 'a' ? pair.a : pair.b);
    const other = (side: Side): Side => (side === 'a' ? 'b' : 'a');
    /** The peer id `side` knows the other device by. */
    const peerOf = (side: Side) => ids[other(side)];
    let serial = 0;
    /** A folder of its own for each case's source files. */
    const freshSources = async () => join(sources, `case-${++serial}`);

    beforeAll(async () => {
      sources = await mkdtemp(join(tmpdir(), 'ferry-engine-conformance-'));
      pair = await options.createPair();
      const connected = (s: EngineSnapshot) => (s.signaling?.kind === 'connected' ? s.signaling.peerId : undefined);
      [ids.a, ids.b] = await Promise.all([pair.a.waitFor('signaling', connected, 60_000), pair.b.waitFor('signaling', connected, 60_000)]);
    }, 120_000);

    afterAll(async () => {
      await pair?.close();
      if (sources) await rm(sources, { recursive: true, force: true });
    }, 60_000);

    /** Runs a case; a failure carries both devices' logs. */
    const step = (title: string, run: () => Promise<void>, timeoutMs = timeout) =>
      it(title, { timeout: timeoutMs }, async () => {
        try {
          await run();
        } catch (error) {
          const logs = [pair?.a, pair?.b].map((d) => (d?.log ? `\n--- ${d.name}:\n${d.log().slice(-6000)}` : '')).join('');
          throw new Error(`${(error as Error).message}${logs}`, { cause: error });
        }
      });

    const conversation = async (side: Side) => conversationWith(await device(side).snapshot(), peerOf(side));
    const waitOpen = (side: Side, timeoutMs?: number) =>
      device(side).waitFor(`${device(side).name}'s link to be open`, (s) => {
        const c = conversationWith(s, peerOf(side));
        return c?.state === 'open' ? c : undefined;
      }, timeoutMs);
    const diagnostics = async (side: Side) => (await device(side).command('linkDiagnostics', peerOf(side))) as LinkDiagnostics | null;

    /** Until both sides have a link open again (dialing it from `dialer` when there is none). */
    const ensureLink = async (dialer: Side = 'a') => {
      const [ca, cb] = await Promise.all([conversation('a'), conversation('b')]);
      if (ca?.state !== 'open' || cb?.state !== 'open') {
        if ((await conversation(dialer))?.state !== 'connecting') await device(dialer).command('connectTo', peerOf(dialer));
      }
      await Promise.all([waitOpen('a'), waitOpen('b')]);
    };

    /** Offers paths from `from`; returns the sender's new row (found by its title, newly made). */
    const offer = async (from: Side, paths: string[], title: string): Promise<TransferRow> => {
      const sender = device(from);
      const before = new Set(((await conversation(from))?.transfers ?? []).map((t) => t.key));
      await sender.pick(paths);
      await sender.command('sendPaths', peerOf(from), paths);
      return sender.waitFor(`${title} to be offered`, (s) => conversationWith(s, peerOf(from))?.transfers.find((t) => t.direction === 'out' && t.title === title && !before.has(t.key)));
    };

    /** The receiver's row of an offer (the newest incoming one with that title). */
    const incoming = (to: Side, title: string, check: (row: TransferRow) => boolean = () => true) =>
      device(to).waitFor(`${device(to).name} to see ${title}`, (s) =>
        conversationWith(s, peerOf(to))
          ?.transfers.filter((t) => t.direction === 'in' && t.title === title && check(t))
          .at(-1),
      );

    const ended = (side: Side, key: string, timeoutMs = timeout) =>
      device(side).waitFor(`${device(side).name}'s ${key} to end`, (s) => {
        const row = conversationWith(s, peerOf(side))?.transfers.find((t) => t.key === key);
        return row && isEnded(row) ? row : undefined;
      }, timeoutMs);

    /** Sends, the receiver accepts (unless `autoAccepted`), both rows end; returns them. */
    const transfer = async (from: Side, paths: string[], title: string, opts: { autoAccepted?: boolean } = {}) => {
      const to = other(from);
      const out = await offer(from, paths, title);
      const offered = await incoming(to, title, (t) => opts.autoAccepted === true || (t.state === 'offered' && t.spaceProblem === undefined));
      if (!opts.autoAccepted) await device(to).command('acceptTransfer', peerOf(to), offered.key, {});
      const [sent, received] = await Promise.all([ended(from, out.key), ended(to, offered.key)]);
      return { sent, received };
    };

    /** What landed in `side`'s download folder, and no staging left over. */
    const landed = async (side: Side) => readTree(device(side).downloadDir);
    const leftovers = async (side: Side) => (await readdir(device(side).downloadDir)).filter((name) => name.startsWith('.ferry-incoming') || name.endsWith('.part'));

    const expectLanded = async (to: Side, dir: string, names: string[]) => {
      const sent = await readTree(dir);
      const got = await landed(to);
      for (const name of names) expect(subtree(got, name), name).toEqual(subtree(sent, name));
      expect(await leftovers(to)).toEqual([]);
    };

    // ── Pairing, authentication, glare, stripes ──────────────────────────────────────────────

    step('pairs by code; both keep the other’s key, and a paired session opens, authenticated both ways', async () => {
      await pair.b.command('showPairingCode');
      const code = await pair.b.waitFor('a pairing code', (s) => (s.pairing?.kind === 'showing' ? s.pairing.code : undefined));
      await pair.a.command('enterPairingCode', code);
      const paired = (s: EngineSnapshot) => {
        if (s.pairing?.kind === 'failed') throw new Error(`pairing failed: ${s.pairing.message}`);
        return s.pairing?.kind === 'paired' ? s.pairing : undefined;
      };
      const [onA, onB] = await Promise.all([pair.a.waitFor('pairing', paired), pair.b.waitFor('pairing', paired)]);
      expect(onA.peerId).toBe(ids.b);
      expect(onB.peerId).toBe(ids.a);
      expect(onA.sas).toEqual(onB.sas);
      for (const side of ['a', 'b'] as const) {
        const snapshot = await device(side).waitFor('the paired device kept', (s) => (s.settings?.trustedDevices.some((d) => d.peerId === peerOf(side) && d.publicKey) ? s : undefined));
        expect(snapshot.settings?.trustedDevices.find((d) => d.peerId === peerOf(side))?.name).toBe(device(other(side)).name);
      }
      // Pairing dials: the session that opens proves both keys against the pairing.
      await Promise.all(
        (['a', 'b'] as const).map((side) => device(side).waitFor('the paired device online', (s) => (s.presence[peerOf(side)]?.kind === 'online' ? true : undefined))),
      );
      const [ca, cb] = await Promise.all([waitOpen('a'), waitOpen('b')]);
      expect(ca.peerName).toBe(pair.b.name);
      expect(cb.peerName).toBe(pair.a.name);
      // What the other runs Ferry as is kept with it: its icon while it is away.
      for (const side of ['a', 'b'] as const) {
        const said = (await device(side).snapshot()).conversations.find((c) => c.peerId === peerOf(side))?.peerKind;
        expect(said).toBeDefined();
        await device(side).waitFor('the kind kept', (s) => (s.settings?.trustedDevices.find((d) => d.peerId === peerOf(side))?.kind === said ? true : undefined));
      }
    });

    step('stripes: the dialer opens 3 more connections and a file spreads over all four; paired, it is accepted at once', async () => {
      await ensureLink();
      // The dialer opens STRIPE_COUNT (3) more connections. One that cannot open is closed after
      // 20 s and "costs speed, not the link" (SPEC.md, "Striping"): a link that settles with one
      // stripe missing passes, said out loud; two missing fail.
      const striped = async (side: Side) => {
        let last: LinkDiagnostics | null = null;
        const deadline = Date.now() + 25_000;
        while (Date.now() < deadline) {
          last = await diagnostics(side);
          if (last?.connections === 4) return last;
          await new Promise((r) => setTimeout(r, 50));
        }
        if (!last || last.connections < 3) throw new Error(`${device(side).name}'s link has ${last?.connections ?? 0} connections, not 4; last diagnostics: ${JSON.stringify(last)}`);
        console.warn(`${name}: ${device(side).name}'s link settled with ${last.connections} connections: a stripe did not open (${JSON.stringify(last)})`);
        return last;
      };
      const [da, db] = await Promise.all([striped('a'), striped('b')]);
      expect(da.connectionId).toBe(db.connectionId);
      expect(da.dialed).not.toBe(db.dialed);
      const dir = await freshSources();
      await makeTree(dir, { 'striped.bin': large });
      const before = (await diagnostics('b'))?.dataFramesIn ?? [];
      const { sent, received } = await transfer('a', [join(dir, 'striped.bin')], 'striped.bin', { autoAccepted: true });
      expect(sent.state).toBe('done');
      expect(received).toMatchObject({ state: 'done', savedPaths: [join(pair.b.downloadDir, 'striped.bin')] });
      await expectLanded('b', dir, ['striped.bin']);
      const after = (await diagnostics('b'))?.dataFramesIn ?? [];
      const carried = after.map((n, i) => n - (before[i] ?? 0));
      expect(carried.length).toBeGreaterThanOrEqual(3);
      // Data flowed on several connections, not just the link's own: on three of them at least.
      expect(carried.filter((n) => n > 0).length, `frames per connection: ${carried.join(', ')}`).toBeGreaterThanOrEqual(3);
    }, timeout * 2);

    step('a device unpaired on one side is refused when it dials as paired, in words on both sides', async () => {
      await pair.a.command('unpairDevice', ids.b);
      await pair.a.waitFor('B no longer paired', (s) => (s.settings?.trustedDevices.some((d) => d.peerId === ids.b) ? undefined : true));
      // B still keeps A: it dials A again (now, rather than after its backoff).
      await pair.b.waitFor('the link to A to end', (s) => (s.presence[ids.a]?.kind === 'offline' ? true : undefined));
      await pair.b.command('checkPresenceNow', ids.a);
      const there = await pair.b.waitFor('A’s refusal', (s) => {
        const p = s.presence[ids.a];
        return p?.kind === 'unpaired-there' ? p : undefined;
      });
      expect(there.message).toMatch(/unpaired/i);
      const onA = await pair.a.waitFor('A to refuse B', (s) => {
        const c = conversationWith(s, ids.b);
        return c?.state === 'failed' && c.error ? c : undefined;
      });
      expect(onA.error).toMatch(/not paired with this one tried to connect as if it were/);
    });

    step('glare: both dial at once and one link opens, the same on both sides; unpaired, it authenticates both keys', async () => {
      await pair.b.command('forgetDevice', ids.a);
      await pair.b.waitFor('A forgotten', (s) => (s.settings?.trustedDevices.length === 0 && s.presence[ids.a] === undefined ? true : undefined));
      await Promise.all([pair.a.command('connectTo', ids.b), pair.b.command('connectTo', ids.a)]);
      const [ca, cb] = await Promise.all([waitOpen('a'), waitOpen('b')]);
      expect(ca.peerName).toBe(pair.b.name);
      expect(cb.peerName).toBe(pair.a.name);
      const [da, db] = await Promise.all([diagnostics('a'), diagnostics('b')]);
      // One connection, dialled by one side (the lower of the two connection ids won on both).
      expect(da?.connectionId).toBe(db?.connectionId);
      expect(da?.dialed).toBe(!db?.dialed);
      // It stays the one link.
      await new Promise((r) => setTimeout(r, 1000));
      expect((await diagnostics('a'))?.connectionId).toBe(da?.connectionId);
      expect((await diagnostics('b'))?.connectionId).toBe(da?.connectionId);
      expect((await conversation('a'))?.state).toBe('open');
      expect((await conversation('b'))?.state).toBe('open');
    });

    step('a text message each way, delivered', async () => {
      await ensureLink();
      await pair.a.command('sendText', ids.b, 'über the engine, ✓');
      const line = await pair.b.waitFor('the message', (s) => conversationWith(s, ids.a)?.lines.find((l) => l.direction === 'in' && l.body === 'über the engine, ✓'));
      expect(line.delivery).toBe('received');
      await pair.a.waitFor('delivery', (s) => (conversationWith(s, ids.b)?.lines.some((l) => l.body === 'über the engine, ✓' && l.delivery === 'delivered') ? true : undefined));
      await pair.b.command('sendText', ids.a, 'and back');
      await pair.a.waitFor('the answer', (s) => conversationWith(s, ids.b)?.lines.find((l) => l.direction === 'in' && l.body === 'and back'));
      await pair.b.waitFor('its delivery', (s) => (conversationWith(s, ids.a)?.lines.some((l) => l.body === 'and back' && l.delivery === 'delivered') ? true : undefined));
    });

    step('a file: offered, accepted, landed byte for byte with its time; only picked files are sent', async () => {
      await ensureLink();
      const dir = await freshSources();
      await makeTree(dir, { 'report.pdf': 1_234_567 });
      // Named but never picked: refused in words.
      await expect(pair.a.command('sendPaths', ids.b, [join(dir, 'report.pdf')])).rejects.toMatchObject({ code: 'SOURCE_FAILED' });
      const { sent, received } = await transfer('a', [join(dir, 'report.pdf')], 'report.pdf');
      expect(sent).toMatchObject({ state: 'done', totalBytes: 1_234_567, bytesDone: 1_234_567 });
      expect(received).toMatchObject({ state: 'done', savedPaths: [join(pair.b.downloadDir, 'report.pdf')] });
      await expectLanded('b', dir, ['report.pdf']);
    });

    step('send with a code: whoever types it receives the files without a prompt, and nothing is kept of the other; a wrong code fails both', async () => {
      const dir = await freshSources();
      await makeTree(dir, { 'by-code.bin': 345_678 });
      const paths = [join(dir, 'by-code.bin')];
      await expect(pair.a.command('sendPathsWithCode', paths)).rejects.toMatchObject({ code: 'SOURCE_FAILED' });
      await pair.a.pick(paths);
      const trustedBefore = (await pair.b.snapshot()).settings?.trustedDevices;
      // A wrong code first: both sides fail, the code is burned, nothing is written.
      await pair.a.command('sendPathsWithCode', paths);
      const shown = (s: EngineSnapshot) => (s.codeTransfer?.kind === 'showing' ? s.codeTransfer.code : undefined);
      const failed = (s: EngineSnapshot) => (s.codeTransfer?.kind === 'failed' ? s.codeTransfer.message : undefined);
      const burned = await pair.a.waitFor('a code', shown);
      await pair.b.command('receiveWithCode', burned.replace(/^(\d+)-(\w+)-(\w+)$/, '$1-$3-$2'));
      const [onA, onB] = await Promise.all([pair.a.waitFor('the sender to fail', failed), pair.b.waitFor('the receiver to fail', failed)]);
      expect([onA, onB]).toEqual([expect.stringMatching(/code didn’t match/), expect.stringMatching(/code didn’t match/)]);
      // The right code: the files go at once, and arrive without anyone accepting.
      await pair.a.command('sendPathsWithCode', paths);
      const code = await pair.a.waitFor('a new code', shown);
      expect(code).not.toBe(burned);
      await pair.b.command('receiveWithCode', code);
      const connected = (s: EngineSnapshot) => (s.codeTransfer?.kind === 'connected' ? s.codeTransfer : undefined);
      const [toB, fromA] = await Promise.all([pair.a.waitFor('the code exchange', connected), pair.b.waitFor('the code exchange', connected)]);
      expect([toB.peerId, toB.name, fromA.peerId, fromA.name]).toEqual([ids.b, pair.b.name, ids.a, pair.a.name]);
      const received = await incoming('b', 'by-code.bin', (t) => t.state === 'done' || t.state === 'failed');
      expect(received.state).toBe('done');
      await expectLanded('b', dir, ['by-code.bin']);
      expect((await pair.b.snapshot()).settings?.trustedDevices).toEqual(trustedBefore);
    });

    step('a folder with an empty subfolder, an empty file and nested files, the other way', async () => {
      await ensureLink();
      const dir = await freshSources();
      await makeTree(dir, { 'Album/cover.jpg': 300_000, 'Album/2026/a.raw': 2_000_001, 'Album/2026/empty': null, 'Album/zero.txt': 0 });
      const { sent, received } = await transfer('b', [join(dir, 'Album')], 'Album (3 files)');
      expect(sent.state).toBe('done');
      expect(received.state).toBe('done');
      await expectLanded('a', dir, ['Album']);
    });

    for (const mode of DELIVERY_MODES) {
      step(`delivery mode ${mode} (the sender’s setting)`, async () => {
        await ensureLink();
        await pair.a.command('saveSettings', { transferMode: mode });
        try {
          const dir = await freshSources();
          const name = `mode-${mode}.bin`;
          await makeTree(dir, { [name]: 3_000_017 });
          const { sent, received } = await transfer('a', [join(dir, name)], name);
          expect([sent.state, received.state], `sender: ${sent.error ?? ''}; receiver: ${received.error ?? ''}`).toEqual(['done', 'done']);
          await expectLanded('b', dir, [name]);
          const offered = pair.faults?.controlSent('a').filter((m) => m.type === 'offer').at(-1);
          if (offered) expect(offered.mode).toBe(mode);
        } finally {
          await pair.a.command('saveSettings', { transferMode: 'automatic' });
        }
      });
    }

    step('a declined offer writes nothing; both sides show it declined', async () => {
      await ensureLink();
      const dir = await freshSources();
      await makeTree(dir, { 'unwanted.bin': 50_000 });
      const out = await offer('a', [join(dir, 'unwanted.bin')], 'unwanted.bin');
      const offered = await incoming('b', 'unwanted.bin', (t) => t.state === 'offered');
      await pair.b.command('declineTransfer', ids.a, offered.key);
      const [sent, received] = await Promise.all([ended('a', out.key), ended('b', offered.key)]);
      // A person saying no needs no explanation.
      expect(sent.state).toBe('declined');
      expect(sent.error).toBeUndefined();
      expect(received.state).toBe('declined');
      expect(Object.keys(subtree(await landed('b'), 'unwanted.bin'))).toEqual([]);
      expect(await leftovers('b')).toEqual([]);
    });

    // Needs a journaled download folder on both sides (see EngineConformanceOptions.resume).
    if (options.resume !== false) {
      step('a person pauses mid-transfer: both say so and keep what they have; the receiver resumes it, and the rest lands byte for byte', async () => {
        await ensureLink();
        const dir = await freshSources();
        await makeTree(dir, { 'paused.bin': large });
        const out = await offer('a', [join(dir, 'paused.bin')], 'paused.bin');
        const offered = await incoming('b', 'paused.bin', (t) => t.state === 'offered');
        await pair.b.command('acceptTransfer', ids.a, offered.key, {});
        await pair.b.waitFor('a third of it', (s) => ((conversationWith(s, ids.a)?.transfers.find((t) => t.key === offered.key)?.bytesDone ?? 0) > large / 3 ? true : undefined));
        await pair.a.command('pauseTransfer', ids.b, out.key);
        const paused = (side: Side, key: string) =>
          device(side).waitFor(`${key} to be paused`, (s) => {
            const row = conversationWith(s, peerOf(side))?.transfers.find((t) => t.key === key);
            return row?.state === 'paused' ? row : undefined;
          });
        const [onA, onB] = await Promise.all([paused('a', out.key), paused('b', offered.key)]);
        expect(onA.error).toMatch(/You paused/);
        expect(onB.error).toMatch(/other device paused/);
        expect(Object.keys(subtree(await landed('b'), 'paused.bin'))).toEqual([]);
        // Paused stays paused: nothing moves, nobody resumes it by itself.
        await new Promise((r) => setTimeout(r, 1500));
        expect((await conversation('b'))?.transfers.find((t) => t.key === offered.key)?.state).toBe('paused');
        // The receiver's person resumes it: the sender offers it again and it picks up where it was.
        await pair.b.command('resumeTransfer', ids.a, offered.key);
        const [sent, got] = await Promise.all([ended('a', out.key), ended('b', offered.key)]);
        expect([sent.state, got.state], `sender: ${sent.error ?? ''}; receiver: ${got.error ?? ''}`).toEqual(['done', 'done']);
        await expectLanded('b', dir, ['paused.bin']);
      });

      step('while paused, a source file that changed is sent again from the start (said in words), and a staging file cut short costs only its missing blocks', async () => {
        await ensureLink();
        const pauseMidway = async (name: string) => {
          const dir = await freshSources();
          await makeTree(dir, { [name]: large });
          const out = await offer('a', [join(dir, name)], name);
          const offered = await incoming('b', name, (t) => t.state === 'offered');
          await pair.b.command('acceptTransfer', ids.a, offered.key, {});
          await pair.b.waitFor('half of it', (s) => ((conversationWith(s, ids.a)?.transfers.find((t) => t.key === offered.key)?.bytesDone ?? 0) > large / 2 ? true : undefined));
          await pair.b.command('pauseTransfer', ids.a, offered.key);
          // Both rows say paused (the receiver's once its staging is safe): only then is there a Resume.
          await Promise.all([
            pair.a.waitFor('paused', (s) => (conversationWith(s, ids.b)?.transfers.find((t) => t.key === out.key)?.state === 'paused' ? true : undefined)),
            pair.b.waitFor('paused', (s) => (conversationWith(s, ids.a)?.transfers.find((t) => t.key === offered.key)?.state === 'paused' ? true : undefined)),
          ]);
          return { dir, out, offered };
        };
        // The sender's file grows while paused: its new size and time start it over.
        const changed = await pauseMidway('changed.bin');
        await appendFile(join(changed.dir, 'changed.bin'), 'and a few more bytes');
        await pair.b.command('resumeTransfer', ids.a, changed.offered.key);
        const got = await ended('b', changed.offered.key);
        expect(got).toMatchObject({ state: 'done', error: expect.stringMatching(/Changed on the other device, received again from the start: changed\.bin/) });
        await expectLanded('b', changed.dir, ['changed.bin']);
        // The receiver's staging file is cut short while paused: the blocks it lost are sent again.
        const cut = await pauseMidway('cut-short.bin');
        const staging = (await readdir(device('b').downloadDir)).filter((n) => n.startsWith('.ferry-incoming-'));
        expect(staging).toHaveLength(1);
        await truncate(join(device('b').downloadDir, staging[0] as string, '0.part'), Math.floor(large / 5));
        await pair.b.command('resumeTransfer', ids.a, cut.offered.key);
        expect((await ended('b', cut.offered.key)).state).toBe('done');
        await expectLanded('b', cut.dir, ['cut-short.bin']);
      }, timeout * 2);
    }

    for (const canceller of ['sender', 'receiver'] as const) {
      step(`the ${canceller} cancels mid-transfer: both stop, and no file is left, final or partial`, async () => {
        await ensureLink();
        const dir = await freshSources();
        const name = `cancelled-by-${canceller}.bin`;
        await makeTree(dir, { [name]: large });
        const out = await offer('b', [join(dir, name)], name);
        const offered = await incoming('a', name, (t) => t.state === 'offered' && t.spaceProblem === undefined);
        await pair.a.command('acceptTransfer', ids.b, offered.key, {});
        await pair.a.waitFor('some bytes', (s) => {
          const row = conversationWith(s, ids.b)?.transfers.find((t) => t.key === offered.key);
          if (row && isEnded(row)) throw new Error(`the transfer ended (${row.state}) before it could be cancelled: make largeBytes bigger`);
          return row && row.bytesDone > 0 ? true : undefined;
        });
        if (canceller === 'sender') await pair.b.command('cancelTransfer', ids.a, out.key);
        else await pair.a.command('cancelTransfer', ids.b, offered.key);
        const [sent, received] = await Promise.all([ended('b', out.key), ended('a', offered.key)]);
        expect(sent.state).toBe('cancelled');
        expect(received.state).toBe('cancelled');
        await until('the partial file to go', async () => ((await leftovers('a')).length === 0 ? true : undefined), 10_000);
        expect(Object.keys(subtree(await landed('a'), name))).toEqual([]);
      });
    }

    step('two transfers at once in each direction', async () => {
      await ensureLink();
      const dir = await freshSources();
      await makeTree(dir, { 'a-one.bin': 1_500_000, 'a-two.bin': 700_001, 'b-one.bin': 1_100_000, 'b-two.bin': 900_003 });
      const outs = await Promise.all([
        offer('a', [join(dir, 'a-one.bin')], 'a-one.bin'),
        offer('a', [join(dir, 'a-two.bin')], 'a-two.bin'),
        offer('b', [join(dir, 'b-one.bin')], 'b-one.bin'),
        offer('b', [join(dir, 'b-two.bin')], 'b-two.bin'),
      ]);
      const ins = await Promise.all([
        incoming('b', 'a-one.bin', (t) => t.state === 'offered'),
        incoming('b', 'a-two.bin', (t) => t.state === 'offered'),
        incoming('a', 'b-one.bin', (t) => t.state === 'offered'),
        incoming('a', 'b-two.bin', (t) => t.state === 'offered'),
      ]);
      await Promise.all(ins.map((row, i) => (i < 2 ? pair.b.command('acceptTransfer', ids.a, row.key, {}) : pair.a.command('acceptTransfer', ids.b, row.key, {}))));
      const rows = await Promise.all([
        ...outs.map((row, i) => ended(i < 2 ? 'a' : 'b', row.key)),
        ...ins.map((row, i) => ended(i < 2 ? 'b' : 'a', row.key)),
      ]);
      expect(rows.map((r) => r.state)).toEqual(Array(8).fill('done'));
      await expectLanded('b', dir, ['a-one.bin', 'a-two.bin']);
      await expectLanded('a', dir, ['b-one.bin', 'b-two.bin']);
    });

    step('a name that exists gets a number; nothing is overwritten', async () => {
      await ensureLink();
      const dir = await freshSources();
      // Sent twice under the same name: the second lands beside the first.
      await makeTree(dir, { 'report.pdf': 4321 });
      const { received } = await transfer('a', [join(dir, 'report.pdf')], 'report.pdf');
      expect(received.savedPaths).toEqual([join(pair.b.downloadDir, 'report (1).pdf')]);
      const tree = await landed('b');
      expect(tree['report (1).pdf']).toEqual((await readTree(dir))['report.pdf']);
      expect(tree['report.pdf']).toBeDefined();
    });

    if (!options.faults) return;

    // ── Faults and hostile input: only where the test owns the wire ─────────────────────────

    const faults = () => {
      if (!pair.faults) throw new Error('this pair has no fault hooks');
      return pair.faults;
    };
    const controlFrame = (message: Record<string, unknown>) => encodeControl(message as Parameters<typeof encodeControl>[0]);
    const sentBy = (side: Side, type: string, match: (m: Record<string, unknown>) => boolean = () => true) =>
      until(`${device(side).name} to send ${type}`, async () => faults().controlSent(side).find((m) => m.type === type && match(m)), 20_000);

    step('a damaged data frame: its block is asked for again, and the file lands verified', async () => {
      await ensureLink();
      const dir = await freshSources();
      await makeTree(dir, { 'damaged.bin': 6_000_000 });
      const hit = faults().dataFrames('a', 'damage', (i) => i === 20);
      const gapsBefore = faults().controlSent('b').filter((m) => m.type === 'gaps').length;
      const { sent, received } = await transfer('a', [join(dir, 'damaged.bin')], 'damaged.bin');
      expect(await hit).toBe(1);
      expect([sent.state, received.state], `sender: ${sent.error ?? ''}; receiver: ${received.error ?? ''}`).toEqual(['done', 'done']);
      expect(faults().controlSent('b').filter((m) => m.type === 'gaps').length).toBeGreaterThan(gapsBefore);
      await expectLanded('b', dir, ['damaged.bin']);
    });

    step('partial reliability: lost frames are repaired, with random loss, reordering, delay and jitter', async () => {
      await ensureLink();
      await pair.a.command('saveSettings', { transferMode: 'partial' });
      faults().setDelay(3, 8);
      faults().lossyPartial(0.03);
      try {
        const dir = await freshSources();
        await makeTree(dir, { 'lossy.bin': 4_000_000 });
        const lost = faults().dataFrames('a', 'drop', (i) => i === 3 || i === 17, 2);
        const { sent, received } = await transfer('a', [join(dir, 'lossy.bin')], 'lossy.bin');
        expect(await lost).toBe(2);
        expect([sent.state, received.state], `sender: ${sent.error ?? ''}; receiver: ${received.error ?? ''}`).toEqual(['done', 'done']);
        await expectLanded('b', dir, ['lossy.bin']);
      } finally {
        faults().lossyPartial(0);
        faults().setDelay(0, 0);
        await pair.a.command('saveSettings', { transferMode: 'automatic' });
      }
    });

    step('a stripe closing mid-transfer fails a reliable transfer on both sides, leaves nothing, and the link carries on', async () => {
      await ensureLink();
      const dir = await freshSources();
      await makeTree(dir, { 'cut.bin': large, 'after.bin': 1_000_000 });
      const out = await offer('a', [join(dir, 'cut.bin')], 'cut.bin');
      const offered = await incoming('b', 'cut.bin', (t) => t.state === 'offered');
      await pair.b.command('acceptTransfer', ids.a, offered.key, {});
      await pair.b.waitFor('some bytes', (s) => ((conversationWith(s, ids.a)?.transfers.find((t) => t.key === offered.key)?.bytesDone ?? 0) > 0 ? true : undefined));
      faults().closeStripe();
      const [sent, received] = await Promise.all([ended('a', out.key), ended('b', offered.key)]);
      // The sender fails (CHANNEL_CLOSED: nothing says which frames were lost) and tells the
      // receiver, whose row ends with the sender's reason.
      expect(sent).toMatchObject({ state: 'failed', error: expect.stringMatching(/connection .*closed/) });
      expect(received.state).not.toBe('done');
      expect(received.error).toMatch(/connection .*closed/);
      await until('the partial file to go', async () => ((await leftovers('b')).length === 0 ? true : undefined), 10_000);
      expect(Object.keys(subtree(await landed('b'), 'cut.bin'))).toEqual([]);
      expect((await conversation('a'))?.state).toBe('open');
      const next = await transfer('a', [join(dir, 'after.bin')], 'after.bin');
      expect(next.received.state).toBe('done');
      await expectLanded('b', dir, ['after.bin']);
    });

    step('connections that die before they open are dialed again: the link comes back with all its stripes', async () => {
      await ensureLink();
      faults().dropLink();
      await Promise.all((['a', 'b'] as const).map((side) => device(side).waitFor('the link to go', (s) => (conversationWith(s, peerOf(side))?.state !== 'open' ? true : undefined))));
      // The link's first dial dies on its way (the person's dial is tried once more), then two
      // of its stripes do (each is dialed again).
      faults().loseBeforeOpen('link', 1);
      faults().loseBeforeOpen('stripe', 2);
      await device('a').command('connectTo', peerOf('a'));
      await Promise.all([waitOpen('a'), waitOpen('b')]);
      for (const side of ['a', 'b'] as const) await until(`${device(side).name}'s link to have its 4 connections`, async () => ((await diagnostics(side))?.connections === 4 ? true : undefined), 15_000);
    });

    step('the link dropping mid-transfer interrupts it on both sides, nothing under a final name; the devices meet again and it resumes by itself, byte for byte', async () => {
      await ensureLink();
      const dir = await freshSources();
      await makeTree(dir, { 'dropped.bin': large });
      const out = await offer('b', [join(dir, 'dropped.bin')], 'dropped.bin');
      const offered = await incoming('a', 'dropped.bin', (t) => t.state === 'offered');
      await pair.a.command('acceptTransfer', ids.b, offered.key, {});
      // Past a few 4 MiB blocks, so the receiver holds some verified ones when the link drops.
      await pair.a.waitFor('some blocks', (s) => ((conversationWith(s, ids.b)?.transfers.find((t) => t.key === offered.key)?.bytesDone ?? 0) > large / 2 ? true : undefined));
      faults().dropLink();
      const interrupted = (side: Side, key: string) =>
        device(side).waitFor(`${key} to be interrupted`, (s) => {
          const row = conversationWith(s, peerOf(side))?.transfers.find((t) => t.key === key);
          return row && row.state !== 'active' ? row : undefined;
        });
      const [sent, received] = await Promise.all([interrupted('b', out.key), interrupted('a', offered.key)]);
      expect(sent).toMatchObject({ state: 'interrupted', error: expect.stringMatching(/connection closed/) });
      expect(received).toMatchObject({ state: 'interrupted', error: expect.stringMatching(/connection closed/) });
      expect(Object.keys(subtree(await landed('a'), 'dropped.bin'))).toEqual([]);
      // Back together (either side dials it back), the transfer picks up where it stopped.
      const [resent, got] = await Promise.all([ended('b', out.key), ended('a', offered.key)]);
      expect(resent.state).toBe('done');
      expect(got.state).toBe('done');
      await expectLanded('a', dir, ['dropped.bin']);
      // Resumed, not sent again: the receiver said which blocks it held (SPEC.md, "Resume").
      const offers = faults().controlSent('b').filter((m) => m.type === 'offer' && m.resume === true);
      expect(offers).toHaveLength(1);
      const have = faults().controlSent('a').filter((m) => m.type === 'have' && m.transferId === offers[0]?.transferId);
      expect(have.length).toBeGreaterThan(0);
    });

    step('hostile: an offer with a name outside the folder is declined (PATH_INVALID), nothing is written, the session stays', async () => {
      await ensureLink();
      faults().inject('a', 'control', controlFrame({
        type: 'offer', transferId: 4242, mode: 'reliable-ordered', chunkSize: 16_384, digest: 'xxh128', blockChunks: 64, totalEntries: 1, totalBytes: 10,
        entries: [{ kind: 'file', path: '../../.bashrc', size: 10, mtime: 0 }],
      }));
      const declined = await sentBy('b', 'decline', (m) => m.transferId === 4242);
      expect(declined).toMatchObject({ code: 'PATH_INVALID', message: expect.stringMatching(/outside its folder/) });
      // The person is told who tried to send what Ferry refused, and why (a row, and a line of history).
      const refusedRow = await incoming('b', 'An offer Ferry refused');
      expect(refusedRow).toMatchObject({ state: 'failed', error: expect.stringMatching(/^Ferry refused it before asking you: Refused the file name "\.\.\/\.\.\/\.bashrc": it points outside its folder/) });
      await pair.b.waitFor('the refusal in the history', (s) => s.history.find((h) => h.title === 'An offer Ferry refused' && h.peerName === pair.a.name));
      expect(await leftovers('b')).toEqual([]);
      expect((await landed('b'))['.bashrc']).toBeUndefined();
      await pair.a.command('sendText', ids.b, 'still talking');
      await pair.b.waitFor('the text after it', (s) => conversationWith(s, ids.a)?.lines.find((l) => l.body === 'still talking'));
    });

    step('hostile: a data frame that lies about its chunk fails the transfer (DATA_FRAME_INVALID) and removes what was written', async () => {
      await ensureLink();
      faults().inject('a', 'control', controlFrame({
        type: 'offer', transferId: 4343, mode: 'reliable-ordered', chunkSize: 16_384, digest: 'xxh128', blockChunks: 64, totalEntries: 1, totalBytes: 40_000,
        entries: [{ kind: 'file', path: 'innocent.bin', size: 40_000, mtime: 0 }],
      }));
      const offered = await incoming('b', 'innocent.bin', (t) => t.state === 'offered');
      await pair.b.command('acceptTransfer', ids.a, offered.key, {});
      await sentBy('b', 'accept', (m) => m.transferId === 4343);
      faults().inject('a', 'reliable-ordered', encodeDataFrame({ transferId: 4343, fileIndex: 0, chunkIndex: 0 }, new Uint8Array(16_384)));
      faults().inject('a', 'reliable-ordered', encodeDataFrame({ transferId: 4343, fileIndex: 0, chunkIndex: 999 }, new Uint8Array(16_384)));
      const row = await ended('b', offered.key);
      expect(row.state).toBe('failed');
      expect(await sentBy('b', 'cancel', (m) => m.transferId === 4343)).toMatchObject({ from: 'receiver', code: 'DATA_FRAME_INVALID' });
      await until('the partial file to go', async () => ((await leftovers('b')).length === 0 ? true : undefined), 10_000);
      expect((await landed('b'))['innocent.bin']).toBeUndefined();
    });

    step('hostile: a control frame that is not UTF-8 ends the session in words on both sides; the devices connect again', async () => {
      await ensureLink();
      faults().inject('a', 'control', Uint8Array.of(0x01, 0x7b, 0xff, 0xfe, 0x7d));
      const onB = await pair.b.waitFor('B to end the session', (s) => {
        const c = conversationWith(s, ids.a);
        return c?.state === 'failed' ? c : undefined;
      });
      expect(onB.error).toMatch(/UTF-8/);
      await pair.a.waitFor('A to hear it', (s) => (conversationWith(s, ids.b)?.state === 'failed' ? true : undefined));
      await ensureLink();
    });

    step('hostile: a second auth-hello after the session is authenticated ends it (AUTH_FAILED) on the side that gets it; the devices connect again', async () => {
      await ensureLink();
      const hello = faults().controlSent('a').filter((m) => m.type === 'auth-hello').at(-1);
      if (!hello) throw new Error('A sent no auth-hello.');
      faults().inject('a', 'control', controlFrame(hello));
      const onB = await pair.b.waitFor('B to end the session', (s) => {
        const c = conversationWith(s, ids.a);
        return c?.state === 'failed' ? c : undefined;
      });
      expect(onB.error).toMatch(/authenticate again/);
      // A hears the connection close (B ended it).
      await pair.a.waitFor('A to hear it', (s) => (conversationWith(s, ids.b)?.state !== 'open' ? true : undefined));
      await ensureLink();
    });

    step('hostile: a relay that terminates DTLS (a man in the middle) fails session authentication on both sides', async () => {
      // A new link is needed: end this one the way a hostile frame does.
      faults().inject('a', 'control', Uint8Array.of(0x01, 0xff));
      await Promise.all((['a', 'b'] as const).map((side) => device(side).waitFor('the link to end', (s) => (conversationWith(s, peerOf(side))?.state === 'failed' ? true : undefined))));
      faults().manInTheMiddle(true);
      try {
        await pair.a.command('connectTo', ids.b);
        const failed = await Promise.all(
          (['a', 'b'] as const).map((side) =>
            device(side).waitFor('authentication to fail', (s) => {
              const c = conversationWith(s, peerOf(side));
              if (c?.state === 'open') throw new Error(`${device(side).name} opened a session through the relay`);
              return c?.state === 'failed' && c.error && !/UTF-8|not valid/.test(c.error) ? c.error : undefined;
            }),
          ),
        );
        expect(failed.join('\n')).toMatch(/intercepted/);
      } finally {
        faults().manInTheMiddle(false);
      }
      await ensureLink();
    });

    step('hostile: a transfer message before the sender proved its key ends the session (AUTH_FAILED)', async () => {
      faults().inject('a', 'control', Uint8Array.of(0x01, 0xff));
      await Promise.all((['a', 'b'] as const).map((side) => device(side).waitFor('the link to end', (s) => (conversationWith(s, peerOf(side))?.state === 'failed' ? true : undefined))));
      const proofs = faults().controlSent('a').filter((m) => m.type === 'auth-hello').length;
      faults().withhold('a', ['auth-proof']);
      try {
        await pair.a.command('connectTo', ids.b);
        await sentBy('a', 'auth-hello', () => faults().controlSent('a').filter((m) => m.type === 'auth-hello').length > proofs);
        await new Promise((r) => setTimeout(r, 200));
        faults().inject('a', 'control', controlFrame({ type: 'cancel', transferId: 1, from: 'sender', code: 'TRANSFER_CANCELLED', message: 'early' } satisfies TransferMessage));
        const onB = await pair.b.waitFor('B to end the session', (s) => {
          const c = conversationWith(s, ids.a);
          return c?.state === 'failed' && /before proving/.test(c.error ?? '') ? c : undefined;
        });
        expect(onB.error).toMatch(/before proving who it is/);
      } finally {
        faults().withhold('a', undefined);
      }
      await ensureLink();
    });

    step('hostile: a device whose key does not derive its id is refused, in words on both sides', async () => {
      const squatterId = 'ferry-squatsquatsquats';
      const squatter = await faults().squatter(squatterId);
      await squatter.waitFor('signaling', (s) => (s.signaling?.kind === 'connected' ? true : undefined));
      await squatter.command('connectTo', ids.b);
      const [mine, theirs] = await Promise.all([
        squatter.waitFor('the refusal', (s) => {
          const c = conversationWith(s, ids.b);
          return c?.state === 'failed' ? c.error : undefined;
        }),
        pair.b.waitFor('B to refuse it', (s) => {
          const c = conversationWith(s, squatterId);
          return c?.state === 'failed' ? c.error : undefined;
        }),
      ]);
      expect(theirs).toMatch(/key does not match its id: it is not who the server says it is/);
      expect(mine).toMatch(/refused|key does not match/);
      expect((await conversation('a'))?.state).toBe('open');
    });
  });
}
