/**
 * A message channel as the transfer engine needs it: binary messages, the sender-side buffer
 * level, and a signal when that level falls below the low-water mark. Implemented over an
 * RTCDataChannel (Chromium, @roamhq/wrtc) and in memory for tests.
 */
export interface FrameChannel {
  send(frame: Uint8Array): void;
  /** Bytes queued for sending and not yet handed to the network. */
  readonly bufferedAmount: number;
  /** Sets the level at or below which onBufferedAmountLow listeners run. */
  setLowWaterMark(bytes: number): void;
  onBufferedAmountLow(listener: () => void): () => void;
  onMessage(listener: (frame: Uint8Array) => void): () => void;
  onClose(listener: () => void): () => void;
  readonly open: boolean;
  close(): void;
}
