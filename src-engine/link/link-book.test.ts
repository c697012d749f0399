import { describe, expect, it } from 'vitest';
import { ManualRuntime } from '../../src-core/testing/manual-runtime.js';
import type { DataConnectionPort } from '../ports/signaling.js';
import { type Presence, PresenceTracker } from '../presence/presence.js';
import { SnapshotStore } from '../state/snapshot-store.js';
import { LinkBook } from './link-book.js';

const LOW = 'ferry-aaaaaaaaaaaaaaaa';
const MID = 'ferry-bbbbbbbbbbbbbbbb';
const HIGH = 'ferry-cccccccccccccccc';

/**
 * A PeerJS connection as far as the link book and a link that never opens see it: who it is
 * to, what it carries, its listeners, and closing (which PeerJS reports as 'close').
 */
class Connection implements DataConnectionPort {
  static count = 0;
  readonly open = false;
  closed = false;
  // Never created here: a link waits for 'open' before it touches them.
  readonly peerConnection = undefined as unknown as DataConnectionPort['peerConnection'];
  readonly dataChannel = undefined as unknown as DataConnectionPort['dataChannel'];
  private readonly closeListeners: Array<() => void> = [];
  private readonly errorListeners: Array<(error: Error) => void> = [];

  readonly connectionId: string;

  constructor(
    readonly peer: string,
    readonly metadata: unknown = undefined,
    /** The id the dialer gave it (an incoming connection has the dialer's). */
    connectionId?: string,
  ) {
    this.connectionId = connectionId ?? `dc_${++Connection.count}`;
  }

  on(event: 'open' | 'close', listener: () => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
  on(event: 'open' | 'close' | 'error', listener: ((error: Error) => void) | (() => void)): void {
    if (event === 'close') this.closeListeners.push(listener as () => void);
    if (event === 'error') this.errorListeners.push(listener);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const listener of this.closeListeners) listener();
  }

  fail(message: string): void {
    for (const listener of this.errorListeners) listener(new Error(message));
  }
}

function book(ownId: string, options: { fresh?: Promise<void> } = {}) {
  const runtime = new ManualRuntime();
  const store = new SnapshotStore();
  store.update({ signaling: { kind: 'connected', peerId: ownId } });
  const dialled: Connection[] = [];
  let fresh = options.fresh;
  let presence: ReadonlyMap<string, Presence> = new Map();
  const tracker = new PresenceTracker({ runtime, dial: () => {}, changed: (p) => (presence = p) });
  const links = new LinkBook({
    runtime,
    createHasher: () => {
      throw new Error('no session opens in these tests');
    },
    store,
    presence: tracker,
    client: () => ({
      connect: (peerId: string, metadata?: unknown) => {
        const connection = new Connection(peerId, metadata);
        dialled.push(connection);
        return connection;
      },
    }),
    ice: () => ({ whenFresh: () => fresh }),
    auth: () => undefined,
    onIncoming: () => {},
  });
  return {
    runtime,
    links,
    store,
    tracker,
    dialled,
    presence: (peerId: string) => presence.get(peerId),
    conversation: (peerId: string) => store.conversation(peerId),
    freshNow: () => (fresh = undefined),
  };
}

describe('the link book', () => {
  it('refuses a pairing connection that reached this device’s own id', () => {
    const { links, conversation } = book(MID);
    const stray = new Connection(LOW, { ferryPairing: { code: 'x' } });
    links.incoming(stray);
    expect(stray.closed).toBe(true);
    expect(links.get(LOW)).toBeUndefined();
    expect(conversation(LOW)).toBeUndefined();
  });

  it('glare: when both dial, the connection with the lower connection id wins, on both sides, whenever each arrives', () => {
    // Two devices, each with its own dial; the same two connection ids on both sides.
    const alice = book(LOW);
    const bob = book(MID);
    alice.links.dial(MID, { background: false });
    bob.links.dial(LOW, { background: false });
    const aliceDial = alice.dialled[0] as Connection;
    const bobDial = bob.dialled[0] as Connection;
    // Bob's dial reaches Alice (as the same connection id), and Alice's reaches Bob, much later
    // (a server held it): each side decides alone, and both decide the same.
    alice.links.incoming(new Connection(MID, undefined, bobDial.connectionId));
    bob.runtime.advance(30_000);
    bob.links.incoming(new Connection(LOW, undefined, aliceDial.connectionId));
    const winner = aliceDial.connectionId < bobDial.connectionId ? aliceDial.connectionId : bobDial.connectionId;
    expect(alice.links.get(MID)?.connectionId).toBe(winner);
    expect(bob.links.get(LOW)?.connectionId).toBe(winner);
    // The side whose dial lost shows the winning attempt, not the replaced one's end.
    const loser = winner === aliceDial.connectionId ? bob : alice;
    expect(loser.conversation(loser === bob ? LOW : MID)).toMatchObject({ state: 'connecting', error: undefined });
  });

  it('a link a person asked for that fails before it opens is dialled once more; then the failure shows', () => {
    const { links, dialled, conversation, runtime } = book(LOW);
    links.dial(MID, { background: false });
    dialled[0]?.fail('Negotiation of connection failed.');
    expect(conversation(MID)).toMatchObject({ state: 'connecting', error: undefined });
    runtime.advance(1_000);
    expect(dialled).toHaveLength(2);
    dialled[1]?.fail('Negotiation of connection failed.');
    runtime.advance(1_000);
    expect(dialled).toHaveLength(2);
    expect(conversation(MID)).toMatchObject({ state: 'failed', error: 'The connection failed: Negotiation of connection failed.' });
    // Asked again: a fresh attempt, with its own second chance.
    links.dial(MID, { background: false });
    dialled[2]?.fail('x');
    runtime.advance(1_000);
    expect(dialled).toHaveLength(4);
  });

  it('a background dial shows no conversation, and its failure is presence, not news; asking for it shows the attempt', () => {
    const { links, tracker, dialled, presence, conversation } = book(LOW);
    tracker.setPaired([MID]);
    links.dial(MID, { background: true });
    expect(conversation(MID)).toBeUndefined();
    expect(presence(MID)).toEqual({ kind: 'checking' });
    // Asked for in the foreground: the attempt under way is shown, not dialled again.
    links.dial(MID, { background: false });
    expect(dialled).toHaveLength(1);
    expect(conversation(MID)?.state).toBe('connecting');

    links.dial(HIGH, { background: true });
    dialled[1]?.fail('Negotiation failed.');
    expect(conversation(HIGH)).toBeUndefined();
    expect(links.get(HIGH)).toBeUndefined();
  });

  it('a dial waits for fresh TURN credentials, once per device; a person asking meanwhile makes it a foreground dial', async () => {
    let refreshed!: () => void;
    const fresh = new Promise<void>((resolve) => (refreshed = resolve));
    const { links, dialled, conversation, freshNow } = book(LOW, { fresh });
    links.dial(MID, { background: true });
    links.dial(MID, { background: true });
    links.dial(MID, { background: false });
    expect(dialled).toHaveLength(0);
    freshNow();
    refreshed();
    await fresh;
    await Promise.resolve();
    expect(dialled).toHaveLength(1);
    expect(conversation(MID)?.state).toBe('connecting');
  });

  it('a stripe joins the link it names; a stripe of any other connection is closed', () => {
    const { links } = book(LOW);
    const main = new Connection(MID);
    links.incoming(main);
    const stray = new Connection(MID, { ferryStripeOf: 'dc_elsewhere' });
    const stripe = new Connection(MID, { ferryStripeOf: main.connectionId });
    links.incoming(stray);
    links.incoming(stripe);
    expect(stray.closed).toBe(true);
    expect(stripe.closed).toBe(false);
    expect(links.get(MID)?.connectionId).toBe(main.connectionId);
  });

  it('an ended link is dropped, and the device’s conversation says why', () => {
    const { links, conversation } = book(LOW);
    links.dial(MID, { background: false });
    links.get(MID)?.unavailable();
    expect(links.get(MID)).toBeUndefined();
    expect(conversation(MID)).toMatchObject({ state: 'failed', error: 'No device with this id is connected to the signaling server.' });
    // Dialled again: a new attempt, the conversation kept.
    links.dial(MID, { background: false });
    expect(conversation(MID)).toMatchObject({ state: 'connecting', error: undefined });
  });
});
