import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { channelBinding, PEER_ID_PATTERN, sessionTranscript, verifySessionSignature } from '../../src-core/index.js';
import { IdentityStore, type SecretBox } from './identity-store.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ferry-identity-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A stand-in for the OS key store: XOR with a fixed pad (tests only need "sealed ≠ plain"). */
const box: SecretBox = {
  kind: 'test-box',
  encrypt: (plain) => plain.map((b) => b ^ 0x5a),
  decrypt: (sealed) => sealed.map((b) => b ^ 0x5a),
};

const transcript = (publicKey: Uint8Array) =>
  sessionTranscript({
    binding: channelBinding('a=fingerprint:sha-256 AA\r\n', 'a=fingerprint:sha-256 BB\r\n'),
    initiator: { nonce: new Uint8Array(32), publicKey },
    responder: { nonce: new Uint8Array(32).fill(1), publicKey: new Uint8Array(32) },
  });

describe('IdentityStore', () => {
  it('creates a key pair once, keeps it sealed and owner-only, and reads it back', async () => {
    const file = join(dir, 'identity.json');
    const first = await IdentityStore.open({ file, box });
    expect(first.peerId).toMatch(PEER_ID_PATTERN);
    const saved = JSON.parse(await readFile(file, 'utf8'));
    expect(saved).toMatchObject({ version: 1, secret: { sealedBy: 'test-box' } });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const again = await IdentityStore.open({ file, box });
    expect(again.peerId).toBe(first.peerId);
    expect(again.public.fingerprintWords).toHaveLength(4);
    expect(JSON.stringify(again.public)).not.toContain(saved.secret.data);
  });

  it('signs session transcripts that verify, and refuses to sign anything else', async () => {
    const store = await IdentityStore.open({ file: join(dir, 'identity.json') });
    const t = transcript(store.publicKey);
    expect(verifySessionSignature(store.publicKey, t, 'initiator', store.signSession(t, 'initiator'))).toBe(true);
    expect(() => store.signSession(new TextEncoder().encode('pay mallory'), 'initiator')).toThrow(/Not a session transcript/);
  });

  it('a damaged file is kept aside and a new identity made, with a warning that says what it means', async () => {
    const file = join(dir, 'identity.json');
    await writeFile(file, '{"version":1,');
    const warnings: string[] = [];
    const store = await IdentityStore.open({ file, warn: (m) => warnings.push(m), now: () => 7 });
    expect(store.peerId).toMatch(PEER_ID_PATTERN);
    expect(await readdir(dir)).toEqual(expect.arrayContaining(['identity.json', 'identity.json.bad-7']));
    expect(warnings.join('\n')).toMatch(/Paired devices need to pair again/);
  });

  it('a key sealed by an OS store that is gone is not silently replaced by plain text', async () => {
    const file = join(dir, 'identity.json');
    const sealed = await IdentityStore.open({ file, box });
    const warnings: string[] = [];
    const reopened = await IdentityStore.open({ file, warn: (m) => warnings.push(m) });
    expect(reopened.peerId).not.toBe(sealed.peerId);
    expect(warnings.join('\n')).toMatch(/sealed by test-box, which is not available/);
  });
});
