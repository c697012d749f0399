import { once } from 'node:events';
import { ed25519 } from '@noble/curves/ed25519';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { encodeBase64, nameCardSigningInput, peerIdFromPublicKey } from '../src-core/index.js';
import { ManualRuntime } from '../src-core/testing/manual-runtime.js';
import { LanFollower } from '../src-engine/signaling/lan-follower.js';
import { MemoryMain } from '../src-engine/testing/memory-main.js';
import { nodeFetchJson } from '../src-node/engine-host/node-fetch-json.js';
import { type SignalingServer, startSignalingServer } from '../signaling-server/src/server.js';

/**
 * Names nearby, end to end over the real LAN signaling server: each device posts its signed name
 * card, every other device shows a name only when the card verifies against the id.
 */
describe('name cards on the LAN server', () => {
  const cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function lanServer(): Promise<SignalingServer> {
    const server = await startSignalingServer({ host: '127.0.0.1', port: 0, listPeers: true });
    cleanups.push(() => server.close());
    return server;
  }

  async function register(server: SignalingServer, id: string): Promise<void> {
    const socket = new WebSocket(`ws://127.0.0.1:${server.port}/peerjs?key=peerjs&id=${id}&token=t`);
    cleanups.push(() => socket.close());
    await once(socket, 'message');
  }

  /** A device on the server: its follower, and what it last saw. */
  async function device(server: SignalingServer, name: string) {
    const main = new MemoryMain({ deviceName: name, downloadDir: '/nonexistent' });
    await register(server, main.identity.peerId);
    const runtime = new ManualRuntime();
    let seen: Record<string, string> = {};
    const follower = new LanFollower(
      runtime,
      server.url,
      { lanStatus: async () => null, fetchJson: nodeFetchJson, nameCard: () => main.nameCard(), selfId: () => main.identity.peerId },
      { status: () => {}, nearby: (_ids, names) => (seen = names) },
    );
    cleanups.push(() => follower.stop());
    /** One round of the follower (it polls every 2 s): fetch, check, post its card if needed. */
    const poll = async () => {
      await (follower as unknown as { poll(): Promise<void> }).poll();
    };
    // Others only (the listing has this device too: the engine leaves it out the same way).
    const others = () => Object.fromEntries(Object.entries(seen).filter(([id]) => id !== main.identity.peerId));
    return { main, follower, poll, seen: others, id: main.identity.peerId };
  }

  it('each shows the others by their signed names; a card for someone else’s id is not believed and is put back', async () => {
    const server = await lanServer();
    const alice = await device(server, 'Alice’s laptop');
    const bob = await device(server, 'Bob');
    await alice.poll(); // posts Alice's card
    await bob.poll(); // posts Bob's, sees Alice's
    expect(bob.seen()).toEqual({ [alice.id]: 'Alice’s laptop' });
    await alice.poll();
    expect(alice.seen()).toEqual({ [bob.id]: 'Bob' });

    // Mallory signs a card for Alice's id with her own key: Bob shows no name for Alice.
    const mallory = ed25519.utils.randomPrivateKey();
    const forged = { name: 'Alice (trust me)', publicKey: encodeBase64(ed25519.getPublicKey(mallory)), issuedAt: Date.now(), signature: '' };
    forged.signature = encodeBase64(ed25519.sign(nameCardSigningInput(alice.id, forged.name, forged.issuedAt), mallory));
    expect(peerIdFromPublicKey(ed25519.getPublicKey(mallory))).not.toBe(alice.id);
    const posted = await fetch(`${server.url}nearby/card?peer=${alice.id}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(forged) });
    expect(posted.status).toBe(200); // the server verifies nothing: every client does
    await bob.poll();
    expect(bob.seen()).toEqual({});
    // Alice's next round finds her card gone from the listing and posts it again.
    await alice.poll();
    await bob.poll();
    expect(bob.seen()).toEqual({ [alice.id]: 'Alice’s laptop' });
  });

  it('a rename is signed again and shown at the next round', async () => {
    const server = await lanServer();
    const alice = await device(server, 'Alice');
    const bob = await device(server, 'Bob');
    await alice.poll();
    await bob.poll();
    expect(bob.seen()[alice.id]).toBe('Alice');
    await alice.main.updateSettings({ deviceName: 'Alice at work' });
    alice.follower.renamed();
    await alice.poll();
    await bob.poll();
    expect(bob.seen()[alice.id]).toBe('Alice at work');
  });
});
