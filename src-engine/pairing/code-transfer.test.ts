import { describe, expect, it } from 'vitest';
import { encodeBase64, peerIdFromPublicKey } from '../../src-core/index.js';
import { ManualRuntime } from '../../src-core/testing/manual-runtime.js';
import type { OutgoingFiles } from '../ports/host.js';
import type { SignalingPeerOptions } from '../ports/signaling.js';
import type { SignalingClient } from '../signaling/signaling-client.js';
import { MemoryNetwork } from '../testing/memory-network.js';
import { CodeTransfers, type CodeTransferStatus } from './code-transfer.js';

const OPTIONS: SignalingPeerOptions = { host: 'signal.memory', port: 9000, path: '/', secure: false, key: 'peerjs', config: { iceServers: [], iceTransportPolicy: 'all' }, debug: 0 };

/**
 * Bob sends with a code, Alice receives, on the memory network; what each asks of the engine
 * (dial, send, is a link open) is recorded, and the test says whether a link is open.
 */
function twoDevices(options: { linkOpen?: boolean; dialThrows?: boolean } = {}) {
  const runtime = new ManualRuntime();
  const network = new MemoryNetwork({ runtime });
  const recorded = { dials: [] as string[], sends: [] as string[], released: 0 };
  const statuses = { alice: [] as CodeTransferStatus[], bob: [] as CodeTransferStatus[] };
  const ids = { alice: '', bob: '' };
  const device = (name: 'alice' | 'bob') => {
    // A device's id derives from its key, as the exchange proves it.
    const key = runtime.randomBytes(32);
    const publicKey = encodeBase64(key);
    ids[name] = peerIdFromPublicKey(key);
    const peer = network.createPeer(ids[name], OPTIONS);
    // The two calls pairing makes of the signaling client, on the memory network's peers.
    const client = {
      openSidePeer: (id: string) => network.createPeer(id, OPTIONS),
      connect: (peerId: string, metadata: unknown) => peer.connect(peerId, { serialization: 'raw', reliable: true, metadata }),
    } as unknown as SignalingClient;
    return new CodeTransfers({
      runtime,
      client: () => client,
      identity: () => ({ peerId: ids[name], publicKey, fingerprintWords: [] }),
      deviceName: () => (name === 'alice' ? 'Alice' : 'Bob'),
      status: (status) => status && statuses[name].push(status),
      dial: (peerId) => {
        if (options.dialThrows) throw new Error('Not connected to the signaling server.');
        recorded.dials.push(peerId);
      },
      linkOpen: () => options.linkOpen ?? false,
      send: (peerId) => recorded.sends.push(peerId),
    });
  };
  const alice = device('alice');
  const bob = device('bob');
  const files: OutgoingFiles = { entries: [], source: {} as OutgoingFiles['source'], release: async () => void recorded.released++ };
  const run = (ms: number) => {
    for (let t = 0; t < ms; t += 10) runtime.advance(10);
  };
  /** Bob shows a code for `files`; Alice types it; the exchange runs. */
  const exchange = () => {
    bob.send(files);
    run(100);
    const shown = statuses.bob.find((s) => s.kind === 'showing');
    if (shown?.kind !== 'showing') throw new Error('no code shown');
    alice.receive(shown.code);
    run(3000);
  };
  return { alice, bob, ids, statuses, recorded, run, exchange };
}

describe('send with a code: what happens after the exchange', () => {
  it('the receiver takes the proved sender’s one offer without asking, once; the sender dials it and sends once the link opens', () => {
    const { alice, bob, ids, statuses, recorded, exchange } = twoDevices();
    exchange();
    expect([statuses.alice.at(-1), statuses.bob.at(-1)]).toEqual([
      { kind: 'connected', role: 'receive', peerId: ids.bob, name: 'Bob' },
      { kind: 'connected', role: 'send', peerId: ids.alice, name: 'Alice' },
    ]);
    expect(recorded.dials).toEqual([ids.alice]);
    // Both hold the other's key for the session that follows.
    expect(bob.keyOf(ids.alice)).toBeDefined();
    expect(alice.keyOf(ids.bob)).toBeDefined();
    bob.linkOpened(ids.alice);
    expect(recorded.sends).toEqual([ids.alice]);
    bob.linkOpened(ids.alice);
    expect(recorded.sends).toEqual([ids.alice]);
    expect(alice.takeWithoutAsking(ids.alice)).toBe(false);
    expect(alice.takeWithoutAsking(ids.bob)).toBe(true);
    expect(alice.takeWithoutAsking(ids.bob)).toBe(false);
    // The keys go with their offer: the next session between the two is an ordinary one.
    expect(alice.keyOf(ids.bob)).toBeUndefined();
    expect(bob.keyOf(ids.alice)).toBeUndefined();
  });

  it('cancelled after the exchange: nothing is sent, nothing taken without asking, the files are let go', () => {
    const { alice, bob, ids, recorded, exchange } = twoDevices();
    exchange();
    bob.cancel();
    alice.cancel();
    bob.linkOpened(ids.alice);
    expect(recorded.sends).toEqual([]);
    expect(recorded.released).toBe(1);
    expect(alice.takeWithoutAsking(ids.bob)).toBe(false);
  });

  it('nothing follows within a minute: each side ends in words, and a late link sends nothing', () => {
    const { alice, bob, ids, statuses, recorded, run, exchange } = twoDevices();
    exchange();
    run(61_000);
    expect(statuses.bob.at(-1)).toEqual({ kind: 'failed', role: 'send', message: 'Could not reach the receiver to send the files. Try again with a new code.' });
    expect(statuses.alice.at(-1)).toEqual({ kind: 'failed', role: 'receive', message: 'Bob sent nothing. Ask them for a new code.' });
    bob.linkOpened(ids.alice);
    expect(recorded.sends).toEqual([]);
    expect(alice.takeWithoutAsking(ids.bob)).toBe(false);
  });

  it('with a link open already, the files go at once; a dial that throws ends in words and lets the files go', () => {
    const open = twoDevices({ linkOpen: true });
    open.exchange();
    expect(open.recorded).toMatchObject({ dials: [], sends: [open.ids.alice] });
    const down = twoDevices({ dialThrows: true });
    down.exchange();
    expect(down.statuses.bob.at(-1)).toEqual({ kind: 'failed', role: 'send', message: 'Could not reach the receiver: Not connected to the signaling server.' });
    expect(down.recorded).toMatchObject({ sends: [], released: 1 });
  });
});
