import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { electServer, LAN_PROTOCOL_VERSION, type ServerAdvert } from './election.js';

const advert = (serverId: string, version = LAN_PROTOCOL_VERSION): ServerAdvert => ({ serverId, host: '10.0.0.1', port: 9000, version });

describe('electServer', () => {
  it('picks the lowest server id among compatible servers', () => {
    expect(electServer([advert('nnnnnnnnnnnnnnnn'), advert('bbbbbbbbbbbbbbbb'), advert('zzzzzzzzzzzzzzzz')])?.serverId).toBe('bbbbbbbbbbbbbbbb');
  });

  it('ignores other protocol versions and malformed ids, and answers nothing when nothing is left', () => {
    expect(electServer([advert('aaaaaaaaaaaaaaaa', 2), advert('../../etc/passwd'), advert('AAAAAAAAAAAAAAAA')])).toBeUndefined();
    expect(electServer([])).toBeUndefined();
  });

  it('gives every app the same answer whatever order it heard the adverts in', () => {
    const id = fc.stringMatching(/^[a-z2-7]{16}$/);
    fc.assert(
      fc.property(fc.array(id, { minLength: 1, maxLength: 8 }), fc.integer(), (ids, seed) => {
        const adverts = ids.map((i) => advert(i));
        const shuffled = [...adverts].sort(() => ((seed = (seed * 1103515245 + 12345) | 0) & 1 ? 1 : -1));
        return electServer(adverts)?.serverId === electServer(shuffled)?.serverId;
      }),
    );
  });
});
