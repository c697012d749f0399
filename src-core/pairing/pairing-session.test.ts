import { randomBytes } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePairingCode } from './code.js';
import { channelIdentifier, type CodePurpose, decodeBase64, encodeBase64, type PairingMessage, type PairingOutcome, PairingInitiator, PairingResponder } from './pairing-session.js';

const node = { randomBytes: (n: number) => new Uint8Array(randomBytes(n)), now: () => clock };
let clock = 1_000_000;

function device(name: string) {
  return { name, publicKey: ed25519.getPublicKey(ed25519.utils.randomPrivateKey()) };
}

/** Both sides wired through JSON (as on the wire); `tamper` may change what the responder receives. */
function pair(options: { typed: string; shown: string; bindingI?: string; bindingR?: string; purposeI?: CodePurpose; purposeR?: CodePurpose; tamper?: (m: PairingMessage) => PairingMessage }) {
  const outcomes: { initiator?: PairingOutcome; responder?: PairingOutcome } = {};
  const alice = device('Alice');
  const bob = device('Bob');
  const toResponder: PairingMessage[] = [];
  const toInitiator: PairingMessage[] = [];
  const responder = new PairingResponder({
    runtime: node,
    code: parsePairingCode(options.shown),
    binding: options.bindingR ?? 'fp-1\nfp-2',
    ...(options.purposeR ? { purpose: options.purposeR } : {}),
    ...bob,
    send: (m) => toInitiator.push(JSON.parse(JSON.stringify(m)) as PairingMessage),
    done: (o) => (outcomes.responder = o),
  });
  const initiator = new PairingInitiator({
    runtime: node,
    code: parsePairingCode(options.typed),
    binding: options.bindingI ?? 'fp-1\nfp-2',
    ...(options.purposeI ? { purpose: options.purposeI } : {}),
    ...alice,
    send: (m) => toResponder.push(JSON.parse(JSON.stringify(m)) as PairingMessage),
    done: (o) => (outcomes.initiator = o),
  });
  initiator.start();
  for (let round = 0; round < 5; round++) {
    for (const m of toResponder.splice(0)) responder.receive(options.tamper ? options.tamper(m) : m);
    for (const m of toInitiator.splice(0)) initiator.receive(m);
  }
  return { outcomes, alice, bob, responder, toInitiator };
}

describe('pairing by code', () => {
  it('the same code: both sides are paired, know each other’s key and name, and show the same words', () => {
    const { outcomes, alice, bob } = pair({ typed: '427 Orbit velvet', shown: '427-orbit-velvet' });
    expect(outcomes.initiator).toMatchObject({ ok: true, peer: { name: 'Bob', publicKey: bob.publicKey } });
    expect(outcomes.responder).toMatchObject({ ok: true, peer: { name: 'Alice', publicKey: alice.publicKey } });
    const sas = (o: PairingOutcome | undefined) => (o?.ok ? o.peer.sas : undefined);
    expect(sas(outcomes.initiator)).toEqual(sas(outcomes.responder));
    expect(sas(outcomes.initiator)).toHaveLength(3);
  });

  it('a transfer code runs the same exchange under its own channel identifier: run for pairing on one side, it fails as a wrong code on both', () => {
    const same = pair({ typed: '427-orbit-velvet', shown: '427-orbit-velvet', purposeI: 'transfer', purposeR: 'transfer' });
    expect([same.outcomes.initiator?.ok, same.outcomes.responder?.ok]).toEqual([true, true]);
    const crossed = pair({ typed: '427-orbit-velvet', shown: '427-orbit-velvet', purposeI: 'pair', purposeR: 'transfer' });
    for (const side of [crossed.outcomes.initiator, crossed.outcomes.responder]) expect(side).toMatchObject({ ok: false, error: { code: 'PAIRING_CODE_INVALID' } });
    // The identifier as SPEC.md writes it: the label, a newline, then the binding; pairing's is the binding alone.
    expect(Buffer.from(channelIdentifier('fp-1\nfp-2', 'transfer')).toString('hex')).toBe(Buffer.from('ferry-transfer-code-v1\nfp-1\nfp-2').toString('hex'));
    expect(channelIdentifier('fp-1\nfp-2')).toEqual(new TextEncoder().encode('fp-1\nfp-2'));
  });

  it('a wrong code: both sides say the code didn’t match, and nothing is paired', () => {
    const { outcomes } = pair({ typed: '427-orbit-vendor', shown: '427-orbit-velvet' });
    for (const side of [outcomes.initiator, outcomes.responder]) {
      expect(side).toMatchObject({ ok: false, error: { code: 'PAIRING_CODE_INVALID', message: expect.stringMatching(/code didn’t match/) } });
    }
  });

  it('a relay in the middle (two DTLS sessions, different bindings) fails on both sides', () => {
    const { outcomes } = pair({ typed: '427-orbit-velvet', shown: '427-orbit-velvet', bindingI: 'fp-1\nfp-M', bindingR: 'fp-M\nfp-2' });
    expect(outcomes.initiator?.ok).toBe(false);
    expect(outcomes.responder?.ok).toBe(false);
  });

  it('a swapped identity key or name on the way fails the confirmation', () => {
    const mallory = device('Mallory');
    for (const tamper of [
      (m: PairingMessage) => (m.type === 'pair-start' ? { ...m, key: encodeBase64(mallory.publicKey) } : m),
      (m: PairingMessage) => (m.type === 'pair-start' ? { ...m, name: 'Mallory' } : m),
    ]) {
      const { outcomes } = pair({ typed: '427-orbit-velvet', shown: '427-orbit-velvet', tamper });
      expect(outcomes.initiator?.ok).toBe(false);
      expect(outcomes.responder?.ok).toBe(false);
    }
  });

  it('a code is burned by one wrong attempt: the right code afterwards does not pair', () => {
    const { responder, outcomes, toInitiator } = pair({ typed: '427-orbit-vendor', shown: '427-orbit-velvet' });
    expect(outcomes.responder?.ok).toBe(false);
    // The right code now, through the same responder: it answers nothing and pairs nobody.
    const sent: PairingMessage[] = [];
    const retry = new PairingInitiator({ runtime: node, code: parsePairingCode('427-orbit-velvet'), binding: 'fp-1\nfp-2', ...device('Alice'), send: (m) => sent.push(m), done: () => {} });
    retry.start();
    const before = outcomes.responder;
    for (const m of sent) responder.receive(m);
    expect(outcomes.responder).toBe(before);
    expect(toInitiator).toEqual([]); // no reply: no second guess
  });

  it('a code is not good after 10 minutes', () => {
    const sent: PairingMessage[] = [];
    const ended: PairingOutcome[] = [];
    const expiring = new PairingResponder({ runtime: node, code: parsePairingCode('427-orbit-velvet'), binding: 'b', ...device('Bob'), send: (m) => sent.push(m), done: (o) => ended.push(o) });
    clock += 10 * 60 * 1000 + 1;
    const start: PairingMessage = { type: 'pair-start', version: 1, sid: encodeBase64(new Uint8Array(16)), share: encodeBase64(new Uint8Array(32)), key: encodeBase64(new Uint8Array(32)), name: 'X' };
    expiring.receive(start);
    expect(sent).toEqual([{ type: 'pair-fail', reason: 'expired' }]);
    expect(ended).toEqual([{ ok: false, error: expect.objectContaining({ message: expect.stringMatching(/expired/) }) }]);
  });

  it('the responder checks the initiator’s confirmation itself (an initiator that guesses cannot skip it)', () => {
    const sent: PairingMessage[] = [];
    let outcome: PairingOutcome | undefined;
    const responder = new PairingResponder({ runtime: node, code: parsePairingCode('427-orbit-velvet'), binding: 'b', ...device('Bob'), send: (m) => sent.push(m), done: (o) => (outcome = o) });
    const guesser = new PairingInitiator({ runtime: node, code: parsePairingCode('427-orbit-vendor'), binding: 'b', ...device('Mallory'), send: (m) => responder.receive(JSON.parse(JSON.stringify(m))), done: () => {} });
    guesser.start();
    expect(sent.map((m) => m.type)).toEqual(['pair-reply']);
    responder.receive({ type: 'pair-confirm', confirm: encodeBase64(new Uint8Array(randomBytes(64))) });
    expect(sent.at(-1)).toEqual({ type: 'pair-fail', reason: 'code-mismatch' });
    expect(outcome).toMatchObject({ ok: false, error: { code: 'PAIRING_CODE_INVALID' } });
  });

  it('never throws on hostile messages, and ends with a protocol error', () => {
    fc.assert(
      fc.property(fc.anything(), (junk) => {
        let outcome: PairingOutcome | undefined;
        const r = new PairingResponder({ runtime: node, code: parsePairingCode('427-orbit-velvet'), binding: 'b', ...device('Bob'), send: () => {}, done: (o) => (outcome = o) });
        r.receive(junk);
        return outcome === undefined || outcome.ok === false;
      }),
      { numRuns: 300 },
    );
  });

  it('base64 round-trips any bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => Buffer.from(decodeBase64(encodeBase64(bytes))).equals(Buffer.from(bytes)) && encodeBase64(bytes) === Buffer.from(bytes).toString('base64')));
  });
});
