import type { GuardedSocket } from './guarded-socket.js';

/**
 * WebSocket-level liveness, under PeerJS's own HEARTBEAT messages: every `timeoutMs / 2` each
 * socket that answered the previous ping is pinged again, and one that did not is terminated.
 * A half-open TCP connection (the client vanished without a FIN: sleep, network change, NAT
 * timeout) answers nothing and is gone within `timeoutMs`; terminate() drops it at once instead
 * of waiting for a close handshake that will never come. Browsers answer pings by themselves.
 */
export function startHeartbeat(sockets: () => Iterable<GuardedSocket>, timeoutMs: number): () => void {
  const timer = setInterval(() => {
    for (const socket of sockets()) {
      if (socket.guard === undefined) continue; // refused: closing on its own
      if (!socket.alive) {
        socket.endReason = 'timeout';
        socket.terminate();
        continue;
      }
      socket.alive = false;
      socket.ping();
    }
  }, Math.max(50, Math.floor(timeoutMs / 2)));
  timer.unref();
  return () => clearInterval(timer);
}
