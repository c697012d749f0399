import { describe, expect, it } from 'vitest';
import { candidateType, isRelayCandidate, withRelayCandidatesOnly } from './relay-only.js';

const host = 'candidate:1 1 UDP 2114977791 10.77.1.12 48962 typ host';
const srflx = 'candidate:2 1 UDP 1686052607 203.0.113.7 40001 typ srflx raddr 10.77.1.12 rport 48962';
const relay = 'candidate:3 1 UDP 16777215 10.77.1.11 40695 typ relay raddr 10.77.1.12 rport 48962';

describe('relay only', () => {
  it('reads a candidate’s type', () => {
    expect([host, srflx, relay].map(candidateType)).toEqual(['host', 'srflx', 'relay']);
    expect(candidateType('candidate:1 1 UDP 1 abcd.local 9 typ host generation 0')).toBe('host');
    expect(isRelayCandidate(relay)).toBe(true);
    expect(isRelayCandidate(host)).toBe(false);
    expect(isRelayCandidate('')).toBe(false);
  });

  it('keeps an SDP whole but for its non-relay candidates', () => {
    const sdp = ['v=0', 'm=application 9 UDP/DTLS/SCTP webrtc-datachannel', `a=${host}`, `a=${relay}`, `a=${srflx}`, 'a=end-of-candidates', ''].join('\r\n');
    expect(withRelayCandidatesOnly(sdp)).toBe(['v=0', 'm=application 9 UDP/DTLS/SCTP webrtc-datachannel', `a=${relay}`, 'a=end-of-candidates', ''].join('\r\n'));
  });
});
