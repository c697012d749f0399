import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { turnCredential } from '../signaling-server/src/turn-credentials.js';
import { Lab } from './lab/lab.js';
import { canUseNetns } from './lab/netns.js';
import type { TrackedProcess } from './lab/processes.js';
import { type Coturn, startCoturn } from './support/coturn.js';
import { idDigits } from './support/peer-ids.js';
import { startSignalHost } from './support/signal-host.js';

/*
 * The Node host's WebRTC port (src-node/webrtc: PeerJS on node-datachannel's polyfill), Node to
 * Node between two lab hosts, through the real signaling server: what the engine needs of it,
 * each checked on the wire. No mocks: two processes, one per lab host, drive the port and the
 * core's channel code; the test compares what each side reports.
 */

const PEER = fileURLToPath(new URL('./hosts/ndc-peer.ts', import.meta.url));
const ids = { alice: `ferry-ndcalice${idDigits(1, 8)}`, bob: `ferry-ndcbobbo${idDigits(2, 8)}` };
const BLAST_BYTES = 16 * 1024 * 1024;

interface StatsEntry {
  id: string;
  type: string;
  candidateType?: string;
  ip?: string;
  selectedCandidatePairId?: string;
  localCandidateId?: string;
  remoteCandidateId?: string;
}

interface LinkOpen {
  role: string;
  stats: StatsEntry[];
  remoteCandidates: string[];
  path: string | undefined;
  binding: string;
  localFingerprints: string[];
  remoteFingerprints: string[];
  remoteMaxMessageSizeLine: boolean;
  maxMessageSize: number;
}

describe('the Node host’s WebRTC port: PeerJS on node-datachannel, Node to Node in the lab', () => {
  let lab: Lab;
  let alice: TrackedProcess;
  let bob: TrackedProcess;
  let coturn: Coturn | undefined;

  const send = (proc: TrackedProcess, command: Record<string, unknown>) => proc.child.stdin?.write(`${JSON.stringify(command)}\n`);
  const event = async <T = Record<string, unknown>>(proc: TrackedProcess, pattern: RegExp, timeoutMs = 15_000) =>
    JSON.parse(await proc.waitForLine(pattern, timeoutMs, { fresh: false })) as T & { at: number };
  /** The next matching line from now on, for events that repeat. */
  const next = async <T = Record<string, unknown>>(proc: TrackedProcess, pattern: RegExp, timeoutMs = 15_000) =>
    JSON.parse(await proc.waitForLine(pattern, timeoutMs, { fresh: true })) as T & { at: number };
  const withLogs = async (body: () => Promise<void>) => {
    try {
      await body();
    } catch (error) {
      const tail = (proc: TrackedProcess | undefined) => proc?.log.slice(-6000);
      throw new Error(`${(error as Error).message}\n--- alice:\n${tail(alice)}\n--- bob:\n${tail(bob)}`, { cause: error });
    }
  };

  beforeAll(async () => {
    lab = Lab.create({ hosts: ['signal', 'turn', 'alice', 'bob'] });
    const [signal, turn] = await Promise.all([
      startSignalHost(lab.host('signal')),
      lab.mode === 'netns' ? startCoturn(lab.host('turn')) : Promise.resolve(undefined),
    ]);
    coturn = turn;
    bob = lab.host('bob').spawn('bob-ndc', process.execPath, ['--import', 'tsx', PEER, signal.url, ids.bob]);
    alice = lab.host('alice').spawn('alice-ndc', process.execPath, ['--import', 'tsx', PEER, signal.url, ids.alice]);
    await Promise.all([event(bob, /"event":"registered"/, 30_000), event(alice, /"event":"registered"/, 30_000)]);
  });

  afterAll(async () => {
    await lab?.dispose();
  });

  it('connects with raw serialization; both SDPs carry max-message-size and DTLS fingerprints; the path reads direct', () =>
    withLogs(async () => {
      // Both sides create the pre-negotiated channels the moment PeerJS has made the connection.
      send(alice, { cmd: 'connect', label: 'direct', peerId: ids.bob, channelsAt: 'start' });
      const [a, b] = await Promise.all([
        event<LinkOpen>(alice, /"event":"link-open","label":"direct"/),
        event<LinkOpen>(bob, /"event":"link-open","label":"direct"/),
      ]);
      expect(a.role).toBe('dialer');
      expect(b.role).toBe('acceptor');
      for (const side of [a, b]) {
        expect(side.remoteMaxMessageSizeLine).toBe(true);
        expect(side.maxMessageSize).toBeGreaterThan(0);
        expect(side.localFingerprints).toEqual([expect.stringMatching(/^sha-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}$/)]);
        expect(side.remoteFingerprints).toHaveLength(1);
        expect(side.path).toBe('direct');
      }
      // Each side's own certificate is what the other side sees, so both compute one binding.
      expect(a.localFingerprints).toEqual(b.remoteFingerprints);
      expect(b.localFingerprints).toEqual(a.remoteFingerprints);
      expect(a.localFingerprints).not.toEqual(b.localFingerprints);
      expect(a.binding).toBe(b.binding);
      expect(a.binding.split('\n').sort()).toEqual([...a.localFingerprints, ...b.localFingerprints].sort());
    }));

  it('PeerJS’s own DataChannel moves binary messages both ways, byte-identical', () =>
    withLogs(async () => {
      const sizes = [1, 7, 1000, 16 * 1024, 65_000, 200_000];
      for (const [from, to] of [[alice, bob], [bob, alice]] as const) {
        const received = next<{ digests: string[] }>(to, /"event":"control-received","label":"direct"/);
        const sent = next<{ digests: string[] }>(from, /"event":"control-sent","label":"direct"/);
        send(from, { cmd: 'control', label: 'direct', sizes });
        expect((await received).digests).toEqual((await sent).digests);
        expect((await received).digests).toHaveLength(sizes.length);
      }
    }));

  it('16 MiB over the pre-negotiated reliable channel, paced by bufferedamountlow, arrives complete and in order', () =>
    withLogs(async () => {
      const received = next<{ bytes: number; chunks: number; inOrder: boolean; sha256: string }>(bob, /"event":"blast-received","label":"direct"/, 30_000);
      send(alice, { cmd: 'blast', label: 'direct', bytes: BLAST_BYTES });
      const sent = await next<{ bytes: number; chunks: number; sha256: string; lowEvents: number; maxBuffered: number; ms: number }>(
        alice,
        /"event":"blast-sent","label":"direct"/,
        30_000,
      );
      const got = await received;
      expect(got).toMatchObject({ bytes: BLAST_BYTES, chunks: sent.chunks, inOrder: true, sha256: sent.sha256 });
      // Backpressure engaged: the sender filled the buffer to its high-water mark (4 MiB), never
      // past it, and stopped; only bufferedamountlow (added with addEventListener, at the 1 MiB
      // threshold) resumed it, so the blast completing means the event came each time.
      expect(sent.maxBuffered).toBeGreaterThanOrEqual(4 * 1024 * 1024 - 64 * 1024);
      expect(sent.maxBuffered).toBeLessThanOrEqual(4 * 1024 * 1024 + 64 * 1024);
      expect(sent.lowEvents).toBeGreaterThanOrEqual(1);
    }));

  it('the unordered and the partial (maxRetransmits) channels carry data both ways', () =>
    withLogs(async () => {
      for (const mode of ['reliable-unordered', 'partial'] as const) {
        for (const [from, to] of [[alice, bob], [bob, alice]] as const) {
          const pattern = new RegExp(`"label":"direct","mode":"${mode}"`);
          const received = next<{ digests: string[] }>(to, new RegExp(`"event":"burst-received",${pattern.source}`));
          const sent = next<{ digests: string[] }>(from, new RegExp(`"event":"burst-sent",${pattern.source}`));
          send(from, { cmd: 'burst', label: 'direct', mode, count: 64, size: 16 * 1024 });
          expect((await received).digests).toEqual((await sent).digests);
        }
      }
    }));

  it('loading PeerJS made no native peer connection (its browser probe met a stand-in)', () =>
    withLogs(async () => {
      for (const proc of [alice, bob]) expect((await event<{ nativePeerConnections: number }>(proc, /"event":"registered"/)).nativePeerConnections).toBe(0);
    }));

  it('hostile offers through the server (unknown serialization, no payload, json then garbage) are dropped; the host keeps running', () =>
    withLogs(async () => {
      const attacks = ['unknown-serialization', 'no-payload', 'json-garbage'] as const;
      for (const [n, attack] of attacks.entries()) {
        const dropped = bob.waitForLine(/dropped a signaling message Ferry does not accept \("OFFER" from "ferry-mallorymallory/, 15_000, { fresh: true });
        send(alice, { cmd: 'hostile', peerId: ids.bob, attack, suffix: idDigits(n, 2) });
        await next(alice, new RegExp(`"event":"hostile-sent","target":"${ids.bob}","attack":"${attack}"`));
        await dropped;
        send(bob, { cmd: 'ping' });
        expect((await next<{ links: string[] }>(bob, /"event":"pong"/)).links).toEqual(['direct']);
      }
      expect(bob.running).toBe(true);
      expect(bob.log).not.toMatch(/"event":"connection","label":"mallory"/);
      // The link it had still works.
      const received = next<{ digests: string[] }>(alice, /"event":"control-received","label":"direct"/);
      const sent = next<{ digests: string[] }>(bob, /"event":"control-sent","label":"direct"/);
      send(bob, { cmd: 'control', label: 'direct', sizes: [123] });
      expect((await received).digests).toEqual((await sent).digests);
    }));

  it.skipIf(!canUseNetns())(
    'relay only dialing a peer that is not: through coturn both ways (TURN REST usernames with a colon), never host to host',
    () =>
      withLogs(async () => {
        if (!coturn) throw new Error('no coturn');
        for (const [proc, id, policy] of [[alice, ids.alice, 'relay'], [bob, ids.bob, 'all']] as const) {
          const { username, credential } = turnCredential(coturn.secret, 600, Date.now(), id);
          expect(username).toContain(':');
          send(proc, { cmd: 'ice', policy, iceServers: [{ urls: coturn.turnUrl, username, credential }] });
          await next(proc, /"event":"ice-set"/);
        }
        // This time the channels are made once the connection is open (as the engine's first link does).
        send(alice, { cmd: 'connect', label: 'relayed', peerId: ids.bob, channelsAt: 'open' });
        const [a, b] = await Promise.all([
          event<LinkOpen>(alice, /"event":"link-open","label":"relayed"/, 20_000),
          event<LinkOpen>(bob, /"event":"link-open","label":"relayed"/, 20_000),
        ]);
        expect(a.path).toBe('relayed');
        expect(b.path).toBe('relayed');
        expect(a.binding).toBe(b.binding);
        // Relay only holds on alice's side: her end of the selected pair is her TURN allocation, and
        // bob never learnt her address, neither announced nor from a check.
        const selected = (side: LinkOpen) => {
          const byId = new Map(side.stats.map((entry) => [entry.id, entry]));
          const transport = side.stats.find((entry) => entry.type === 'transport');
          const pair = byId.get(transport?.selectedCandidatePairId ?? '');
          return { local: byId.get(pair?.localCandidateId ?? ''), remote: byId.get(pair?.remoteCandidateId ?? '') };
        };
        expect(selected(a).local).toMatchObject({ candidateType: 'relay', ip: coturn.address });
        expect(selected(b).remote).toMatchObject({ candidateType: 'relay', ip: coturn.address });
        const aliceAddress = lab.host('alice').address;
        expect(b.remoteCandidates.join('\n')).not.toContain(aliceAddress);
        expect(JSON.stringify(b.stats)).not.toContain(aliceAddress);
        // coturn granted allocations to both, under their REST usernames, colon and all.
        const users = coturn.sessions().map((session) => session.username);
        expect(users.some((user) => user.endsWith(`:${ids.alice}`))).toBe(true);
        expect(users.some((user) => user.endsWith(`:${ids.bob}`))).toBe(true);
        const received = next<{ bytes: number; inOrder: boolean; sha256: string }>(bob, /"event":"blast-received","label":"relayed"/, 30_000);
        send(alice, { cmd: 'blast', label: 'relayed', bytes: 1024 * 1024 });
        const sent = await next<{ sha256: string }>(alice, /"event":"blast-sent","label":"relayed"/, 30_000);
        expect(await received).toMatchObject({ bytes: 1024 * 1024, inOrder: true, sha256: sent.sha256 });
      }),
  );

  it('closing the connection on one side closes the other side’s channels within a few seconds', () =>
    withLogs(async () => {
      const closes = ['reliable-ordered', 'reliable-unordered', 'partial'].map((mode) =>
        next(bob, new RegExp(`"event":"channel-closed","label":"direct","mode":"${mode}"`), 5000),
      );
      const connectionClosed = next(bob, /"event":"connection-closed","label":"direct"/, 5000);
      const started = Date.now();
      send(alice, { cmd: 'close', label: 'direct' });
      const all = await Promise.all([...closes, connectionClosed]);
      const latest = Math.max(...all.map((e) => e.at));
      expect(latest - started).toBeLessThan(5000);
    }));
});
