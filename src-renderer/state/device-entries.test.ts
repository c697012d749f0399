import { describe, expect, it } from 'vitest';
import { encodeBase64, keyFingerprintWords } from '../../src-core/index';
import type { Conversation, EngineSnapshot, FerrySettings } from '../../src-engine/index';
import { EMPTY_SNAPSHOT } from '../../src-engine/state/snapshot-store';
import { deviceEntries, UNNAMED_DEVICE } from './device-entries';

const key = new Uint8Array(32).fill(7);

function snapshot(parts: Partial<EngineSnapshot> & { trusted?: FerrySettings['trustedDevices'] }): EngineSnapshot {
  const { trusted = [], ...rest } = parts;
  return {
    ...EMPTY_SNAPSHOT,
    settings: { trustedDevices: trusted } as unknown as FerrySettings,
    ...rest,
  };
}

function conversation(peerId: string, peerName: string | undefined, state: Conversation['state'] = 'open'): Conversation {
  return { peerId, peerName, peerKind: 'desktop', state, path: 'direct', keyWords: ['w1', 'w2'], error: undefined, lines: [], transfers: [] };
}

describe('deviceEntries: every device once, in an order that does not jump', () => {
  it('paired first (with the words of the key pairing proved), then met this session, then nearby, then known', () => {
    const entries = deviceEntries(
      snapshot({
        trusted: [
          { peerId: 'ferry-known', name: 'Known', since: 1 },
          { peerId: 'ferry-paired', name: 'Paired', since: 1, publicKey: encodeBase64(key) },
        ],
        conversations: [conversation('ferry-met', 'Met'), conversation('ferry-paired', 'Paired’s own name')],
        nearby: ['ferry-near', 'ferry-met', 'ferry-carded'],
        nearbyNames: { 'ferry-carded': 'Carded', 'ferry-met': 'A name its card says' },
        presence: { 'ferry-paired': { kind: 'online' } },
      }),
    );
    expect(entries.map((e) => [e.peerId, e.name, e.paired, e.nearby])).toEqual([
      ['ferry-paired', 'Paired', true, false],
      ['ferry-met', 'Met', false, true],
      ['ferry-near', UNNAMED_DEVICE, false, true],
      ['ferry-carded', 'Carded', false, true],
      ['ferry-known', 'Known', false, false],
    ]);
    const [paired, met, near] = entries;
    expect(paired?.keyWords).toEqual(keyFingerprintWords(key));
    expect(paired?.presence).toEqual({ kind: 'online' });
    expect(paired?.conversation?.state).toBe('open');
    expect(met?.keyWords).toEqual(['w1', 'w2']);
    expect(near?.named).toBe(false);
    expect(near?.conversation).toBeUndefined();
  });

  it('a paired device away keeps the icon of what its last session said it runs as', () => {
    const trusted = [{ peerId: 'ferry-phone', name: 'Phone', since: 1, publicKey: encodeBase64(key), kind: 'cli' as const }];
    expect(deviceEntries(snapshot({ trusted }))[0]?.kind).toBe('cli');
    // While connected, the session's own word wins.
    expect(deviceEntries(snapshot({ trusted, conversations: [conversation('ferry-phone', 'Phone')] }))[0]?.kind).toBe('desktop');
  });

  it('a device whose session has not told its name yet is shown by its id, never by another’s name', () => {
    const [entry] = deviceEntries(snapshot({ conversations: [conversation('ferry-new', undefined, 'connecting')] }));
    expect(entry).toMatchObject({ peerId: 'ferry-new', name: 'ferry-new', named: false });
  });
});
