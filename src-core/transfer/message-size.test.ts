import { describe, expect, it } from 'vitest';
import { chunkSizeFor, DEFAULT_MAX_MESSAGE_SIZE, maxMessageSizeFromSdp } from './message-size.js';

const sdp = (line: string) => `v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n${line}a=sctp-port:5000\r\n`;

describe('max-message-size', () => {
  it('reads the peer’s limit from its SDP', () => {
    expect(maxMessageSizeFromSdp(sdp('a=max-message-size:262144\r\n'))).toBe(262_144);
  });

  it('assumes 64 KiB when the SDP does not say, and treats 0 as no limit', () => {
    expect(maxMessageSizeFromSdp(sdp(''))).toBe(DEFAULT_MAX_MESSAGE_SIZE);
    expect(maxMessageSizeFromSdp(undefined)).toBe(DEFAULT_MAX_MESSAGE_SIZE);
    expect(maxMessageSizeFromSdp(sdp('a=max-message-size:0\r\n'))).toBeGreaterThan(1024 * 1024);
  });

  it('shrinks the chunk so header and chunk fit in one message', () => {
    expect(chunkSizeFor(65_536, 64 * 1024)).toBe(65_536 - 17);
    expect(chunkSizeFor(262_144, 64 * 1024)).toBe(64 * 1024);
    expect(chunkSizeFor(262_144, 1024 * 1024)).toBe(262_144 - 17);
    expect(chunkSizeFor(100, 64 * 1024)).toBe(1024);
  });
});
