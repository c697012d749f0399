import { describe, expect, it } from 'vitest';
import { channelBinding } from '../../src-core/index.js';
import { whenBound } from './channel-binding-when-ready.js';

const sdp = (fp: string) => `v=0\r\na=fingerprint:sha-256 ${fp}\r\n`;
const A = 'AA:BB';
const B = 'CC:DD';

/** A runtime whose clock and timers the test moves. */
function manualRuntime() {
  let now = 0;
  const timers: Array<{ at: number; run: () => void }> = [];
  return {
    runtime: {
      now: () => now,
      setTimer: (ms: number, run: () => void) => timers.push({ at: now + ms, run }),
      clearTimer: () => {},
      randomBytes: (n: number) => new Uint8Array(n),
    },
    advance(ms: number) {
      const until = now + ms;
      for (;;) {
        timers.sort((x, y) => x.at - y.at);
        const next = timers[0];
        if (!next || next.at > until) break;
        timers.shift();
        now = next.at;
        next.run();
      }
      now = until;
    },
  };
}

describe('whenBound', () => {
  it('binds at once when both descriptions are there', () => {
    const { runtime } = manualRuntime();
    let bound: string | undefined;
    whenBound({ localDescription: { sdp: sdp(A) }, remoteDescription: { sdp: sdp(B) } }, runtime as never, (b) => (bound = b), () => {});
    expect(bound).toBe(channelBinding(sdp(A), sdp(B)));
  });

  it('waits for a remote description that shows up a moment after the channel opened (Chromium)', () => {
    const clock = manualRuntime();
    const pc: { localDescription: { sdp: string }; remoteDescription: { sdp: string } | null } = { localDescription: { sdp: sdp(A) }, remoteDescription: null };
    let bound: string | undefined;
    let failed = false;
    whenBound(pc, clock.runtime as never, (b) => (bound = b), () => (failed = true));
    clock.advance(100);
    expect(bound).toBeUndefined();
    pc.remoteDescription = { sdp: sdp(B) };
    clock.advance(30);
    expect(bound).toBe(channelBinding(sdp(A), sdp(B)));
    expect(failed).toBe(false);
  });

  it('fails in words when the fingerprints never come', () => {
    const clock = manualRuntime();
    let error: Error | undefined;
    whenBound({ localDescription: { sdp: sdp(A) }, remoteDescription: { sdp: 'v=0\r\n' } }, clock.runtime as never, () => {}, (e) => (error = e));
    clock.advance(1_900);
    expect(error).toBeUndefined();
    clock.advance(200);
    expect(error?.message).toBe('The connection has no DTLS fingerprints to bind to.');
  });
});
