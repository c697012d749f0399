import { describe, expect, it } from 'vitest';
import { encodeBase64 } from '../../src-core/index.js';
import { ManualRuntime } from '../../src-core/testing/manual-runtime.js';
import type { SignalingPeerOptions } from '../ports/signaling.js';
import { MemoryNetwork } from '../testing/memory-network.js';
import { enterPairingCode, type PairingStatus, showPairingCode } from './pairing-link.js';

const OPTIONS: SignalingPeerOptions = { host: 'signal.memory', port: 9000, path: '/', secure: false, key: 'peerjs', config: { iceServers: [], iceTransportPolicy: 'all' }, debug: 0 };

/** Two devices on one memory network: Bob shows a code, Alice types it. */
function twoDevices() {
  const runtime = new ManualRuntime();
  const network = new MemoryNetwork({ runtime });
  const statuses = { alice: [] as PairingStatus[], bob: [] as PairingStatus[] };
  const device = (name: 'alice' | 'bob') => {
    const peer = network.createPeer(`ferry-${name}`, OPTIONS);
    return {
      runtime,
      publicKey: encodeBase64(runtime.randomBytes(32)),
      name: name === 'alice' ? 'Alice' : 'Bob',
      openSidePeer: (id: string) => network.createPeer(id, OPTIONS),
      connect: (peerId: string, metadata: unknown) => {
        const connection = peer.connect(peerId, { serialization: 'raw', reliable: true, metadata });
        if (!connection) throw new Error('not registered');
        return connection;
      },
      onStatus: (status: PairingStatus) => {
        statuses[name].push(status);
      },
    };
  };
  const alice = device('alice');
  const bob = device('bob');
  const run = (ms: number) => {
    for (let t = 0; t < ms; t += 10) runtime.advance(10);
  };
  const pairingDials = () => network.connections.filter((c) => c.kind === 'pairing' && c.owner.id === 'ferry-alice').length;
  return { network, alice, bob, statuses, run, pairingDials };
}

function codeShown(statuses: PairingStatus[]): string {
  const showing = statuses.find((s) => s.kind === 'showing');
  if (showing?.kind !== 'showing') throw new Error(`no code shown: ${JSON.stringify(statuses)}`);
  return showing.code;
}

describe('pairing by code over a connection that may die before it opens', () => {
  it('pairs when the first connection dies before opening: the caller dials again, the code still holds', () => {
    const { network, alice, bob, statuses, run, pairingDials } = twoDevices();
    showPairingCode(bob);
    run(100);
    network.toLoseBeforeOpen.set('pairing', 1);
    enterPairingCode(alice, codeShown(statuses.bob));
    run(3000);
    expect(statuses.alice.at(-1)).toMatchObject({ kind: 'paired', name: 'Bob' });
    expect(statuses.bob.at(-1)).toMatchObject({ kind: 'paired', name: 'Alice' });
    expect(pairingDials()).toBe(2);
  });

  it('gives up after three connections that never open, in words on both sides', () => {
    const { network, alice, bob, statuses, run, pairingDials } = twoDevices();
    showPairingCode(bob);
    run(100);
    network.toLoseBeforeOpen.set('pairing', 10);
    enterPairingCode(alice, codeShown(statuses.bob));
    run(5000);
    expect(pairingDials()).toBe(3);
    expect(statuses.alice.at(-1)).toEqual({ kind: 'failed', message: expect.stringMatching(/^Could not connect to the device showing that code \(Connection to ferry-\w+ closed\.\)/) });
    expect(statuses.bob.at(-1)).toEqual({ kind: 'failed', message: 'The other device could not connect to this one. Show a new code to try again.' });
  });

  it('a transfer code runs the same way and its words say what it was for', () => {
    const { alice, bob, statuses, run } = twoDevices();
    const shown = showPairingCode({ ...bob, purpose: 'transfer' });
    run(100);
    enterPairingCode({ ...alice, purpose: 'transfer' }, codeShown(statuses.bob));
    run(3000);
    expect([statuses.alice.at(-1)?.kind, statuses.bob.at(-1)?.kind]).toEqual(['paired', 'paired']);
    const next = twoDevices();
    const again = showPairingCode({ ...next.bob, purpose: 'transfer' });
    next.run(100);
    again.cancel();
    expect(next.statuses.bob.at(-1)).toEqual({ kind: 'failed', message: 'Cancelled: the code is no longer good.' });
    shown.cancel();
  });

  it('one exchange per code: once one has run, another caller is turned away', () => {
    const { alice, bob, statuses, run } = twoDevices();
    showPairingCode(bob);
    run(100);
    const code = codeShown(statuses.bob);
    enterPairingCode({ ...alice, publicKey: encodeBase64(alice.runtime.randomBytes(32)) }, code.replace(/^(\d+)-(\w+)-(\w+)$/, '$1-$3-$2'));
    run(3000);
    // A wrong code ends both sides: the code is burned.
    expect(statuses.bob.at(-1)).toMatchObject({ kind: 'failed' });
    expect(statuses.alice.at(-1)).toMatchObject({ kind: 'failed' });
    const failedBefore = statuses.bob.length;
    enterPairingCode(alice, code);
    run(25_000);
    expect(statuses.alice.at(-1)).toMatchObject({ kind: 'failed' });
    expect(statuses.bob).toHaveLength(failedBefore);
  });
});
