import { randomBytes } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519';
import { describe, expect, it } from 'vitest';
import { ManualRuntime } from '../testing/manual-runtime.js';
import { peerIdFromPublicKey, sessionSigningInput, sessionTranscript } from '../pairing/identity.js';
import type { AuthMessage } from '../wire/control.js';
import { AuthMessage as AuthMessageSchema } from '../wire/control.js';
import { type SessionAuthOutcome, SessionAuthenticator } from './session-auth.js';

function device() {
  const secret = ed25519.utils.randomPrivateKey();
  const publicKey = ed25519.getPublicKey(secret);
  return { secret, publicKey, peerId: peerIdFromPublicKey(publicKey), sign: async (t: Uint8Array, role: 'initiator' | 'responder') => ed25519.sign(sessionSigningInput(t, role), secret) };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

/** Two authenticators wired together (messages through JSON and the schema, as on the wire). */
async function session(
  options: {
    bindingA?: string;
    bindingB?: string;
    /** Who keeps the other as paired (by default nobody); `pairedKeyOfB` overrides A's key. */
    paired?: 'both' | 'a-only' | 'b-only';
    pairedKeyOfB?: Uint8Array;
    impostor?: boolean;
    bPeerId?: string;
  } = {},
) {
  const runtime = new ManualRuntime();
  const a = device();
  const b = device();
  const mallory = device();
  const outcomes: { a?: SessionAuthOutcome; b?: SessionAuthOutcome } = {};
  const wire = (to: () => SessionAuthenticator) => (m: AuthMessage) => queueMicrotask(() => to().receive(AuthMessageSchema.parse(JSON.parse(JSON.stringify(m)))));
  // Each side's messages reach the other through a late-bound reference (both exist by then).
  const sides: { a?: SessionAuthenticator; b?: SessionAuthenticator } = {};
  const authA = new SessionAuthenticator({
    runtime,
    role: 'initiator',
    binding: options.bindingA ?? 'fp-a\nfp-b',
    ownPublicKey: a.publicKey,
    remotePeerId: options.bPeerId ?? b.peerId,
    pairedKey: options.pairedKeyOfB ?? (options.paired === 'both' || options.paired === 'a-only' ? b.publicKey : undefined),
    sign: a.sign,
    send: wire(() => sides.b as SessionAuthenticator),
    done: (o) => (outcomes.a = o),
  });
  const bSigner = options.impostor ? mallory : b;
  const authB = new SessionAuthenticator({
    runtime,
    role: 'responder',
    binding: options.bindingB ?? 'fp-a\nfp-b',
    ownPublicKey: b.publicKey,
    remotePeerId: a.peerId,
    pairedKey: options.paired === 'both' || options.paired === 'b-only' ? a.publicKey : undefined,
    sign: bSigner.sign,
    send: wire(() => sides.a as SessionAuthenticator),
    done: (o) => (outcomes.b = o),
  });
  sides.a = authA;
  sides.b = authB;
  authA.start();
  authB.start();
  for (let i = 0; i < 10; i++) await flush();
  return { outcomes, a, b, runtime };
}

describe('session authentication', () => {
  it('both sides prove their keys on the same DTLS session; a paired key is recognised', async () => {
    const { outcomes, b } = await session();
    expect(outcomes.a).toMatchObject({ ok: true, paired: false });
    expect(outcomes.b).toMatchObject({ ok: true });
    expect(outcomes.a?.ok && Buffer.from(outcomes.a.publicKey).equals(Buffer.from(b.publicKey))).toBe(true);
    const paired = await session({ paired: 'both' });
    expect(paired.outcomes.a).toMatchObject({ ok: true, paired: true });
    expect(paired.outcomes.b).toMatchObject({ ok: true, paired: true });
  });

  it('a device unpaired on one side is refused by both, each saying so in its own words', async () => {
    for (const paired of ['a-only', 'b-only'] as const) {
      const { outcomes } = await session({ paired });
      const [keeper, forgetter] = paired === 'a-only' ? [outcomes.a, outcomes.b] : [outcomes.b, outcomes.a];
      expect(keeper).toMatchObject({ ok: false, error: { code: 'AUTH_UNPAIRED', message: expect.stringMatching(/has unpaired this one/) } });
      // Said so that it is true of a stranger that only claims to be paired, too.
      expect(forgetter).toMatchObject({ ok: false, error: { code: 'AUTH_UNPAIRED', message: expect.stringMatching(/^A device that is not paired with this one tried to connect as if it were/) } });
      expect((forgetter as { error: Error }).error.message).not.toMatch(/unpaired here/);
    }
  });

  it('an unpairing is believed only from a device that proved its key: impostors and bare refusals are not', async () => {
    // Someone holding B's id but not its key claims B has unpaired A: A must keep the pairing.
    const impostor = await session({ paired: 'a-only', impostor: true });
    expect(impostor.outcomes.a).toMatchObject({ ok: false, error: { code: 'AUTH_FAILED', message: expect.stringMatching(/proof of identity is wrong/) } });
    // A bare auth-fail saying AUTH_UNPAIRED, before any proof, is a refusal, not an unpairing.
    const runtime = new ManualRuntime();
    const me = device();
    const peer = device();
    let outcome: SessionAuthOutcome | undefined;
    const auth = new SessionAuthenticator({ runtime, role: 'initiator', binding: 'x', ownPublicKey: me.publicKey, remotePeerId: peer.peerId, pairedKey: peer.publicKey, sign: me.sign, send: () => {}, done: (o) => (outcome = o) });
    auth.start();
    auth.receive({ type: 'auth-fail', code: 'AUTH_UNPAIRED', message: 'x'.repeat(1000) });
    expect(outcome).toMatchObject({ ok: false, error: { code: 'AUTH_FAILED' } });
    expect(outcome?.ok === false && outcome.error.message.length).toBeLessThan(300);
  });

  it('a relay in the middle (different DTLS sessions on each side) fails both sides', async () => {
    const { outcomes } = await session({ bindingA: 'fp-a\nfp-m', bindingB: 'fp-m\nfp-b' });
    expect(outcomes.a).toMatchObject({ ok: false, error: { code: 'AUTH_FAILED' } });
    expect(outcomes.b).toMatchObject({ ok: false, error: { code: 'AUTH_FAILED' } });
  });

  it('a key that does not derive the dialled id, or differs from the paired key, is refused with words', async () => {
    const wrongId = await session({ bPeerId: 'ferry-aaaaaaaaaaaaaaaa' });
    expect(wrongId.outcomes.a).toMatchObject({ ok: false, error: { message: expect.stringMatching(/key does not match its id/) } });
    const other = await session({ paired: 'both', pairedKeyOfB: device().publicKey });
    expect(other.outcomes.a).toMatchObject({ ok: false, error: { message: expect.stringMatching(/not the device you paired with/) } });
    expect(other.outcomes.b).toMatchObject({ ok: false, error: { message: expect.stringMatching(/refused this connection/) } });
  });

  it('a signature by another key (an impostor holding the id but not the key) fails', async () => {
    const { outcomes } = await session({ impostor: true });
    expect(outcomes.a).toMatchObject({ ok: false, error: { message: expect.stringMatching(/proof of identity is wrong/) } });
  });

  it('silence fails in time, and a second introduction is refused', async () => {
    const runtime = new ManualRuntime();
    const me = device();
    const sent: AuthMessage[] = [];
    let outcome: SessionAuthOutcome | undefined;
    const auth = new SessionAuthenticator({ runtime, role: 'initiator', binding: 'x', ownPublicKey: me.publicKey, remotePeerId: 'ferry-aaaaaaaaaaaaaaaa', sign: me.sign, send: (m) => sent.push(m), done: (o) => (outcome = o), timeoutMs: 1000 });
    auth.start();
    runtime.advance(1001);
    expect(outcome).toMatchObject({ ok: false, error: { message: expect.stringMatching(/in time/) } });
    expect(sent.at(-1)).toMatchObject({ type: 'auth-fail' });

    const other = device();
    let second: SessionAuthOutcome | undefined;
    const twice = new SessionAuthenticator({ runtime, role: 'initiator', binding: 'x', ownPublicKey: me.publicKey, remotePeerId: other.peerId, sign: me.sign, send: () => {}, done: (o) => (second = o) });
    const hello: AuthMessage = { type: 'auth-hello', key: Buffer.from(other.publicKey).toString('base64'), nonce: Buffer.from(randomBytes(32)).toString('base64'), paired: false };
    twice.receive(hello);
    twice.receive(hello);
    expect(second).toMatchObject({ ok: false, error: { message: expect.stringMatching(/introduced itself twice/) } });
  });

  it('stopped (its session ended first), it sends and decides nothing when its deadline passes', async () => {
    const runtime = new ManualRuntime();
    const me = device();
    const sent: AuthMessage[] = [];
    let outcome: SessionAuthOutcome | undefined;
    const auth = new SessionAuthenticator({ runtime, role: 'initiator', binding: 'x', ownPublicKey: me.publicKey, remotePeerId: 'ferry-aaaaaaaaaaaaaaaa', sign: me.sign, send: (m) => sent.push(m), done: (o) => (outcome = o), timeoutMs: 1000 });
    auth.start();
    auth.stop();
    runtime.advance(5000);
    expect(sent.map((m) => m.type)).toEqual(['auth-hello']);
    expect(outcome).toBeUndefined();
  });

  it('does not call the session authenticated before its own proof is out, even when the peer’s proof comes first', async () => {
    const runtime = new ManualRuntime();
    const me = device();
    const peer = device();
    const sent: AuthMessage[] = [];
    let outcome: SessionAuthOutcome | undefined;
    let release!: () => void;
    const slowSign = (t: Uint8Array, role: 'initiator' | 'responder') => new Promise<Uint8Array>((resolve) => (release = () => void me.sign(t, role).then(resolve)));
    const auth = new SessionAuthenticator({ runtime, role: 'initiator', binding: 'x', ownPublicKey: me.publicKey, remotePeerId: peer.peerId, sign: slowSign, send: (m) => sent.push(m), done: (o) => (outcome = o) });
    auth.start();
    const myHello = sent[0] as Extract<AuthMessage, { type: 'auth-hello' }>;
    const peerNonce = new Uint8Array(randomBytes(32));
    auth.receive({ type: 'auth-hello', key: Buffer.from(peer.publicKey).toString('base64'), nonce: Buffer.from(peerNonce).toString('base64'), paired: false });
    const transcript = sessionTranscript({
      binding: 'x',
      initiator: { nonce: new Uint8Array(Buffer.from(myHello.nonce, 'base64')), publicKey: me.publicKey },
      responder: { nonce: peerNonce, publicKey: peer.publicKey },
    });
    auth.receive({ type: 'auth-proof', signature: Buffer.from(await peer.sign(transcript, 'responder')).toString('base64') });
    expect(outcome).toBeUndefined();
    release();
    for (let i = 0; i < 5; i++) await flush();
    expect(sent.map((m) => m.type)).toEqual(['auth-hello', 'auth-proof']);
    expect(outcome).toMatchObject({ ok: true });
  });
});
