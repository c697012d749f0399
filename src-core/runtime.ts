/**
 * What the core needs from its platform, injected so the core stays pure and tests control
 * time and randomness (the vscode-jsonrpc "RAL" idea).
 */
export interface TimerHandle {
  readonly __timer: unique symbol;
}

export interface Runtime {
  /** Milliseconds since the epoch. */
  now(): number;
  setTimer(delayMs: number, callback: () => void): TimerHandle;
  clearTimer(handle: TimerHandle): void;
  /** Cryptographically strong random bytes. */
  randomBytes(length: number): Uint8Array;
}
