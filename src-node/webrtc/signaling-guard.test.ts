import { describe, expect, it } from 'vitest';
import { admitSignalingMessage } from './signaling-guard.js';

const offer = (payload: unknown) => ({ type: 'OFFER', src: 'ferry-mallorymallory22', dst: 'ferry-bobbobbobbobbob2', payload });
const rawOffer = { type: 'data', serialization: 'raw', connectionId: 'dc_abc', sdp: { type: 'offer', sdp: 'v=0\r\n' }, reliable: true };

describe('signaling messages PeerJS is given in Node', () => {
  it('lets a well-formed raw data offer through, as it is', () => {
    const message = offer(rawOffer);
    expect(admitSignalingMessage(message)).toBe(message);
  });

  it('drops offers PeerJS would throw on, or parse hostile bytes for', () => {
    for (const payload of [
      null,
      'OFFER',
      { ...rawOffer, serialization: 'no-such-serializer' },
      { ...rawOffer, serialization: 'json' },
      { ...rawOffer, serialization: 'binary' },
      { ...rawOffer, type: 'media' },
      { ...rawOffer, connectionId: 7 },
      { ...rawOffer, sdp: null },
      { ...rawOffer, sdp: { type: 'offer' } },
    ]) {
      expect(admitSignalingMessage(offer(payload))).toBeUndefined();
    }
  });

  it('drops what is not a message; gives an ERROR without a payload one PeerJS can read', () => {
    expect(admitSignalingMessage(null)).toBeUndefined();
    expect(admitSignalingMessage('OPEN')).toBeUndefined();
    expect(admitSignalingMessage({ payload: {} })).toBeUndefined();
    expect(admitSignalingMessage({ type: 'ERROR' })).toEqual({ type: 'ERROR', payload: { msg: 'The signaling server reported an error.' } });
  });

  it('passes the rest of PeerJS’s protocol unchanged', () => {
    for (const message of [{ type: 'OPEN' }, { type: 'ERROR', payload: { msg: 'x' } }, { type: 'ANSWER', payload: { connectionId: 'dc_abc' } }, { type: 'CANDIDATE', payload: null }, { type: 'LEAVE', src: 'x' }]) {
      expect(admitSignalingMessage(message)).toBe(message);
    }
  });
});
