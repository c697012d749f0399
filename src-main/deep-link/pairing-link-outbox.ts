/**
 * Main's side of delivering an accepted pairing link's code to the window. A link can arrive
 * before the window exists (macOS fires `open-url` before `ready`; a link on the command line is
 * there at start) or while it reloads: such a code is kept, only the latest (the last link the
 * person opened is the one they mean), until the window says it listens, and then answered to
 * that call. Later codes are pushed to the window as they arrive.
 */
export class PairingLinkOutbox {
  private pending: string | undefined;
  private listening = false;
  private send: ((code: string) => boolean) | undefined;

  /**
   * How codes reach the window once it listens; `send` answers false when the window cannot take
   * one now (gone, or showing something other than Ferry), and the code is kept instead.
   */
  connect(send: (code: string) => boolean): void {
    this.send = send;
  }

  /** An accepted link's code (already validated: see pairing-link-url.ts). */
  offer(code: string): void {
    if (this.listening && this.send?.(code)) return;
    this.pending = code;
  }

  /** The window listens from now on; answers the code that came before, once, or null. */
  listen(): string | null {
    this.listening = true;
    const code = this.pending ?? null;
    this.pending = undefined;
    return code;
  }

  /** The window's page went away (reload, navigation, crash): keep codes until it listens again. */
  stopListening(): void {
    this.listening = false;
  }
}
