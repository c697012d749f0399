import type { Page } from 'playwright-core';

/*
 * The ceiling: the fastest a single reliable, ordered RTCDataChannel moves bytes between the same
 * two Chromium hosts, with the same chunk size and the same bufferedAmount backpressure as
 * Ferry, and nothing else (no framing, no disk, no hashing).
 */

export async function measureCeiling(sender: Page, receiver: Page, sizeBytes: number, chunkBytes: number): Promise<number> {
  await Promise.all([sender.goto('about:blank'), receiver.goto('about:blank')]);
  const offer = await sender.evaluate(async () => {
    const w = window as unknown as { pc: RTCPeerConnection; dc: RTCDataChannel };
    w.pc = new RTCPeerConnection({ iceServers: [] });
    w.dc = w.pc.createDataChannel('blast', { ordered: true });
    w.dc.binaryType = 'arraybuffer';
    await w.pc.setLocalDescription(await w.pc.createOffer());
    await new Promise<void>((r) => (w.pc.iceGatheringState === 'complete' ? r() : w.pc.addEventListener('icegatheringstatechange', () => w.pc.iceGatheringState === 'complete' && r())));
    return w.pc.localDescription?.toJSON();
  });
  const answer = await receiver.evaluate(async (remote) => {
    const w = window as unknown as { pc: RTCPeerConnection; channel: Promise<RTCDataChannel> };
    w.pc = new RTCPeerConnection({ iceServers: [] });
    w.channel = new Promise((resolve) => w.pc.addEventListener('datachannel', (e) => resolve(e.channel)));
    await w.pc.setRemoteDescription(remote as RTCSessionDescriptionInit);
    await w.pc.setLocalDescription(await w.pc.createAnswer());
    await new Promise<void>((r) => (w.pc.iceGatheringState === 'complete' ? r() : w.pc.addEventListener('icegatheringstatechange', () => w.pc.iceGatheringState === 'complete' && r())));
    return w.pc.localDescription?.toJSON();
  }, offer);
  await sender.evaluate(async (remote) => {
    const w = window as unknown as { pc: RTCPeerConnection; dc: RTCDataChannel };
    await w.pc.setRemoteDescription(remote as RTCSessionDescriptionInit);
    if (w.dc.readyState !== 'open') await new Promise((r) => w.dc.addEventListener('open', r, { once: true }));
  }, answer);

  const received = receiver.evaluate(async (total) => {
    const w = window as unknown as { channel: Promise<RTCDataChannel> };
    const channel = await w.channel;
    channel.binaryType = 'arraybuffer';
    let count = 0;
    await new Promise<void>((resolve) => {
      channel.addEventListener('message', (e) => {
        count += (e.data as ArrayBuffer).byteLength;
        if (count >= total) resolve();
      });
    });
  }, sizeBytes);
  const started = performance.now();
  await sender.evaluate(
    async ({ total, chunk }) => {
      const w = window as unknown as { dc: RTCDataChannel };
      const dc = w.dc;
      dc.bufferedAmountLowThreshold = 256 * 1024;
      const payload = new Uint8Array(chunk);
      let sent = 0;
      while (sent < total) {
        if (dc.bufferedAmount > 1024 * 1024) {
          await new Promise((r) => dc.addEventListener('bufferedamountlow', r, { once: true }));
          continue;
        }
        const n = Math.min(chunk, total - sent);
        dc.send(n === chunk ? payload : payload.subarray(0, n));
        sent += n;
      }
    },
    { total: sizeBytes, chunk: chunkBytes },
  );
  await received;
  const seconds = (performance.now() - started) / 1000;
  await Promise.all([sender.evaluate(() => (window as unknown as { pc: RTCPeerConnection }).pc.close()), receiver.evaluate(() => (window as unknown as { pc: RTCPeerConnection }).pc.close())]);
  return sizeBytes / 1e6 / seconds;
}
