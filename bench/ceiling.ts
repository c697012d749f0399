import type { Page } from 'playwright-core';

/*
 * The ceiling: the fastest reliable, ordered RTCDataChannels move bytes between the same two
 * Chromium hosts, with the same chunk size and the same bufferedAmount backpressure as Ferry,
 * and nothing else (no framing, no disk, no hashing). With `connections` > 1 the bytes are
 * striped over that many RTCPeerConnections (one SCTP association, so one congestion window,
 * each): what striping could win at best.
 */

type BlastWindow = { pcs: RTCPeerConnection[]; dcs: RTCDataChannel[]; channels: Promise<RTCDataChannel>[] };

export async function measureCeiling(sender: Page, receiver: Page, sizeBytes: number, chunkBytes: number, connections = 1): Promise<number> {
  await Promise.all([sender.goto('about:blank'), receiver.goto('about:blank')]);
  await Promise.all([sender, receiver].map((page) => page.evaluate(() => Object.assign(window, { pcs: [], dcs: [], channels: [] }))));
  for (let i = 0; i < connections; i++) {
    const offer = await sender.evaluate(async () => {
      const w = window as unknown as BlastWindow;
      const pc = new RTCPeerConnection({ iceServers: [] });
      const dc = pc.createDataChannel('blast', { ordered: true });
      dc.binaryType = 'arraybuffer';
      w.pcs.push(pc);
      w.dcs.push(dc);
      await pc.setLocalDescription(await pc.createOffer());
      await new Promise<void>((r) => (pc.iceGatheringState === 'complete' ? r() : pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && r())));
      return pc.localDescription?.toJSON();
    });
    const answer = await receiver.evaluate(async (remote) => {
      const w = window as unknown as BlastWindow;
      const pc = new RTCPeerConnection({ iceServers: [] });
      w.pcs.push(pc);
      w.channels.push(new Promise((resolve) => pc.addEventListener('datachannel', (e) => resolve(e.channel))));
      await pc.setRemoteDescription(remote as RTCSessionDescriptionInit);
      await pc.setLocalDescription(await pc.createAnswer());
      await new Promise<void>((r) => (pc.iceGatheringState === 'complete' ? r() : pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && r())));
      return pc.localDescription?.toJSON();
    }, offer);
    await sender.evaluate(async (remote) => {
      const w = window as unknown as BlastWindow;
      const pc = w.pcs.at(-1) as RTCPeerConnection;
      const dc = w.dcs.at(-1) as RTCDataChannel;
      await pc.setRemoteDescription(remote as RTCSessionDescriptionInit);
      if (dc.readyState !== 'open') await new Promise((r) => dc.addEventListener('open', r, { once: true }));
    }, answer);
  }

  const received = receiver.evaluate(async (total) => {
    const w = window as unknown as BlastWindow;
    const channels = await Promise.all(w.channels);
    let count = 0;
    await new Promise<void>((resolve) => {
      for (const channel of channels) {
        channel.binaryType = 'arraybuffer';
        channel.addEventListener('message', (e) => {
          count += (e.data as ArrayBuffer).byteLength;
          if (count >= total) resolve();
        });
      }
    });
  }, sizeBytes);
  const started = performance.now();
  await sender.evaluate(
    async ({ total, chunk }) => {
      const w = window as unknown as BlastWindow;
      const payload = new Uint8Array(chunk);
      const share = Math.ceil(total / w.dcs.length);
      await Promise.all(
        w.dcs.map(async (dc, i) => {
          dc.bufferedAmountLowThreshold = 256 * 1024;
          const mine = Math.max(0, Math.min(share, total - i * share));
          let sent = 0;
          while (sent < mine) {
            if (dc.bufferedAmount > 1024 * 1024) {
              await new Promise((r) => dc.addEventListener('bufferedamountlow', r, { once: true }));
              continue;
            }
            const n = Math.min(chunk, mine - sent);
            dc.send(n === chunk ? payload : payload.subarray(0, n));
            sent += n;
          }
        }),
      );
    },
    { total: sizeBytes, chunk: chunkBytes },
  );
  await received;
  const seconds = (performance.now() - started) / 1000;
  await Promise.all([sender, receiver].map((page) => page.evaluate(() => (window as unknown as BlastWindow).pcs.forEach((pc) => pc.close()))));
  return sizeBytes / 1e6 / seconds;
}
