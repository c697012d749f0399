import { createSocket, type Socket } from 'node:dgram';

interface Held {
  socket: Socket;
  port: number;
}

/**
 * Free local UDP ports for new connections, held open until one is taken.
 *
 * A TURN allocation belongs to the local port it was made from, and libjuice picks its port
 * itself and tells nobody (relay only, even the host candidates that would name it are
 * withheld). A connection that binds the port given here (libdatachannel's portRangeBegin =
 * portRangeEnd) is one whose allocations can be released after it closes (turn-release.ts).
 * A port is held by a socket of ours until taken, so that nobody else gets it; taking it closes
 * that socket at once (the fd goes synchronously) and libjuice binds it when it gathers, a few
 * milliseconds later. Bound the way libjuice binds (IPv6, taking IPv4 too; else IPv4), so the
 * port is free in both families. Held sockets never keep the process alive.
 */
export class LocalUdpPorts {
  readonly #held: Held[] = [];
  #filling = false;
  #closed = false;

  /**
   * @param size how many ports to hold (connections made at once: a link and its stripes)
   * @param avoid ports not to hand out (one a release still needs, say)
   */
  constructor(
    private readonly size: number,
    private readonly avoid: (port: number) => boolean = () => false,
  ) {}

  /** Starts holding ports, if not yet (a connection made before any is held binds its own). */
  warm(): void {
    void this.#fill();
  }

  /** A port free for a connection to bind now; undefined when none is held yet. */
  take(): number | undefined {
    const held = this.#held.shift();
    void this.#fill();
    if (!held) return undefined;
    held.socket.close();
    return held.port;
  }

  /** How many ports are held now. */
  get available(): number {
    return this.#held.length;
  }

  /** Lets every held port go (for tests). */
  close(): void {
    this.#closed = true;
    for (const { socket } of this.#held.splice(0)) socket.close();
  }

  async #fill(): Promise<void> {
    if (this.#filling || this.#closed) return;
    this.#filling = true;
    try {
      for (let misses = 0; this.#held.length < this.size && misses < 8 && !this.#closed; ) {
        const held = await bindAnyPort();
        if (!held) break;
        if (this.#closed || this.avoid(held.port)) {
          held.socket.close();
          misses++;
          continue;
        }
        this.#held.push(held);
      }
    } finally {
      this.#filling = false;
    }
  }
}

async function bindAnyPort(): Promise<Held | undefined> {
  for (const dualStack of [true, false]) {
    const socket = dualStack ? createSocket({ type: 'udp6', ipv6Only: false }) : createSocket('udp4');
    const bound = await new Promise<boolean>((resolve) => {
      socket.once('error', () => resolve(false));
      socket.bind({ port: 0, address: dualStack ? '::' : '0.0.0.0' }, () => resolve(true));
    });
    if (bound) {
      socket.on('error', () => {});
      // Whatever reaches a held port is not ours to read.
      socket.on('message', () => {});
      socket.unref();
      return { socket, port: socket.address().port };
    }
    try {
      socket.close();
    } catch {
      // Never bound.
    }
  }
  return undefined;
}
