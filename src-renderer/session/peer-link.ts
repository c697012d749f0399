import type { DataConnection } from 'peerjs';
import { ChatSession, type ChatEvent, type Runtime } from '../../src-core/index';

export type LinkState = 'connecting' | 'open' | 'closed' | 'failed';

export interface PeerLinkEvents {
  state(state: LinkState, detail: { peerName?: string; error?: string }): void;
  chat(event: ChatEvent): void;
}

/** How long a connection may take to open before we give up on it. */
const OPEN_TIMEOUT_MS = 20_000;

/**
 * One conversation with one device: a raw PeerJS DataConnection carrying Ferry frames, fed
 * into the core's ChatSession. This class only moves bytes and maps events; the core decides.
 */
export class PeerLink {
  private readonly session: ChatSession;
  private openTimer: number | undefined;
  private finished = false;

  constructor(
    readonly peerId: string,
    private readonly connection: DataConnection,
    runtime: Runtime,
    deviceName: string,
    private readonly events: PeerLinkEvents,
  ) {
    this.session = new ChatSession({
      runtime,
      deviceName,
      send: (frame) => this.sendFrame(frame),
      onEvent: (event) => this.onChatEvent(event),
    });
    this.openTimer = window.setTimeout(
      () => this.fail('The device did not answer. Check that it is online and the id is right.'),
      OPEN_TIMEOUT_MS,
    );
    connection.on('open', () => this.session.start());
    connection.on('data', (data) => {
      if (data instanceof ArrayBuffer) this.session.receive(new Uint8Array(data));
      else if (ArrayBuffer.isView(data)) this.session.receive(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      else this.fail('The other device sent data Ferry does not understand.');
    });
    connection.on('close', () => this.session.channelClosed());
    connection.on('error', (error) => this.fail(`The connection failed: ${error.message}`));
    if (connection.open) this.session.start();
  }

  sendText(body: string) {
    return this.session.sendText(body);
  }

  close(): void {
    this.connection.close();
    this.session.channelClosed();
  }

  /** The signaling server says there is no such device. */
  unavailable(): void {
    this.fail('No device with this id is connected to the signaling server.');
  }

  private sendFrame(frame: Uint8Array): void {
    if (!this.connection.open) return;
    // A fresh ArrayBuffer per frame: never a Blob (PeerJS may reorder those), never a view
    // into a larger buffer.
    void this.connection.send(frame.buffer.byteLength === frame.byteLength ? frame.buffer : frame.slice().buffer);
  }

  private onChatEvent(event: ChatEvent): void {
    switch (event.type) {
      case 'opened':
        window.clearTimeout(this.openTimer);
        this.events.state('open', { peerName: event.peerDeviceName });
        break;
      case 'closed':
        window.clearTimeout(this.openTimer);
        if (!this.finished) {
          this.finished = true;
          if (event.error) this.events.state('failed', { error: event.error.message });
          else this.events.state('closed', {});
        }
        this.connection.close();
        break;
      case 'text-received':
      case 'text-delivered':
      case 'text-failed':
        break;
      default: {
        const unreachable: never = event;
        return unreachable;
      }
    }
    this.events.chat(event);
  }

  private fail(message: string): void {
    window.clearTimeout(this.openTimer);
    if (this.finished) return;
    this.finished = true;
    this.events.state('failed', { error: message });
    this.session.channelClosed();
    this.connection.close();
  }
}
