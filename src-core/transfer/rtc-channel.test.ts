import { describe, expect, it } from 'vitest';
import { openDataChannels, type RtcDataChannelLike, type RtcPeerConnectionLike } from './rtc-channel.js';

type Listener = (event: { data?: unknown }) => void;

/** A data channel that opens and receives when the test says (the engine's, in miniature). */
class ScriptedChannel implements RtcDataChannelLike {
  readyState = 'connecting';
  bufferedAmount = 0;
  bufferedAmountLowThreshold = 0;
  binaryType = 'blob';
  private readonly listeners = new Map<string, Set<Listener>>();
  send(): void {}
  close(): void {}
  addEventListener(type: string, listener: Listener): void {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type)?.add(listener);
  }
  removeEventListener(type: string, listener: Listener): void {
    this.listeners.get(type)?.delete(listener);
  }
  fire(type: string, event: { data?: unknown } = {}): void {
    for (const listener of this.listeners.get(type) ?? []) listener(event);
  }
  open(): void {
    this.readyState = 'open';
    this.fire('open');
  }
}

describe('opening the pre-negotiated data channels', () => {
  it('keeps frames that arrive on a channel that opened before the others', async () => {
    const channels: ScriptedChannel[] = [];
    const connection: RtcPeerConnectionLike = {
      createDataChannel: () => {
        const channel = new ScriptedChannel();
        channels.push(channel);
        return channel;
      },
    };
    const opening = openDataChannels(connection);
    const [first, second, third] = channels as [ScriptedChannel, ScriptedChannel, ScriptedChannel];
    // The first opens and the peer sends on it at once; the others open later.
    first.open();
    first.fire('message', { data: new Uint8Array([1, 2, 3]).buffer });
    second.open();
    third.open();
    const opened = await opening;
    const heard: number[][] = [];
    opened['reliable-ordered'].onMessage((frame) => heard.push([...frame]));
    expect(heard).toEqual([[1, 2, 3]]);
  });
});
