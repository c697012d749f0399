import type { IClient } from 'peer';
import type { Logger } from 'pino';
import type { Telemetry } from '../events.js';
import type { GuardedSocket } from '../guarded-socket.js';
import { closeReplaced, refuseSocket } from '../refusals.js';
import type { LocalPeers } from './cluster-node.js';

/** A cluster node's view of the peers registered on this server (`peer`'s clients, kept by server.ts). */
export function registryPeers(registry: Map<string, IClient>, telemetry: Telemetry, log: Logger): LocalPeers {
  const socketOf = (peerId: string) => registry.get(peerId)?.getSocket() as GuardedSocket | null | undefined;
  /** Ends this node's socket for `peerId`; from now on messages for it go through the cluster, not to a closing socket. */
  const evict = (peerId: string, end: (socket: GuardedSocket) => void) => {
    const socket = socketOf(peerId);
    if (!socket) return;
    registry.delete(peerId);
    socket.endReason = 'closed';
    end(socket);
  };
  return {
    socketOf: (peerId) => {
      const socket = socketOf(peerId);
      return socket && socket.readyState === socket.OPEN ? socket : undefined;
    },
    ids: () => [...registry.keys()],
    tokenOf: (peerId) => registry.get(peerId)?.getToken(),
    count: () => registry.size,
    letGo: (peerId) =>
      evict(peerId, (socket) => {
        closeReplaced(socket);
        log.info({ conn: socket.conn, peer: peerId }, 'peer reconnected on another node; socket here closed');
      }),
    lost: (peerId) =>
      evict(peerId, (socket) => {
        log.warn({ conn: socket.conn, peer: peerId }, 'id registered on another node while redis was down; socket here closed');
        refuseSocket(socket, 'id-taken');
      }),
    held: (type) => telemetry.queued(type),
    queueFull: () => telemetry.refused('queue-full', 'unknown'),
  };
}
