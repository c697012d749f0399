/**
 * A message port as every host of the engine has one: Electron's MessagePortMain or a utility
 * process's parentPort, a DOM MessagePort, a child process's IPC channel, a WebSocket in the lab.
 * Messages are JSON values (no bytes, no classes), so every transport carries them alike.
 */
export interface PortLike {
  post(message: unknown): void;
  /** Returns a function that stops listening. */
  onMessage(listener: (message: unknown) => void): () => void;
}
