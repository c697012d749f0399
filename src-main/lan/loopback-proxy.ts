import { createServer, type Server, type Socket, connect } from 'node:net';

export interface Upstream {
  host: string;
  port: number;
}

/**
 * A TCP relay on 127.0.0.1 to whichever LAN signaling server is elected. The window always
 * talks to this one fixed address (so its CSP stays a single loopback origin); when the election
 * moves, the relay drops its connections and the window's signaling client reconnects — to the
 * new server, under the same device id, while its peer-to-peer connections keep going.
 */
export class LoopbackProxy {
  private upstream: Upstream | undefined;
  private readonly pairs = new Set<[Socket, Socket]>();

  private constructor(private readonly server: Server) {
    server.on('connection', (client) => this.relay(client));
  }

  static async start(): Promise<LoopbackProxy> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return new LoopbackProxy(server);
  }

  get port(): number {
    return (this.server.address() as { port: number }).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/`;
  }

  /** Points the relay elsewhere; connections to the old server are dropped so clients move. */
  setUpstream(upstream: Upstream | undefined): void {
    if (upstream?.host === this.upstream?.host && upstream?.port === this.upstream?.port) return;
    this.upstream = upstream;
    for (const [client, server] of this.pairs) {
      client.destroy();
      server.destroy();
    }
    this.pairs.clear();
  }

  async close(): Promise<void> {
    this.setUpstream(undefined);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private relay(client: Socket): void {
    const upstream = this.upstream;
    if (!upstream) {
      client.destroy();
      return;
    }
    const server = connect(upstream.port, upstream.host);
    const pair: [Socket, Socket] = [client, server];
    this.pairs.add(pair);
    const drop = () => {
      this.pairs.delete(pair);
      client.destroy();
      server.destroy();
    };
    for (const socket of pair) {
      socket.on('error', drop);
      socket.on('close', drop);
    }
    client.pipe(server);
    server.pipe(client);
  }
}
