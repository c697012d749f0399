import type { GuardedSocket } from './guarded-socket.js';

/** Sockets are looked at in slices this often, so 10,000 of them never get pinged in one burst. */
const SLICE_MS = 250;

/**
 * WebSocket-level liveness, under PeerJS's own HEARTBEAT messages. Each socket is looked at
 * every `timeoutMs / 3`: one heard from since (any message, or a pong) is alive and costs
 * nothing more; a silent one is pinged; one still silent at the next look — no message, no
 * pong — is terminated. So a half-open TCP connection (the client vanished without a FIN:
 * sleep, network change, NAT timeout) is gone within `timeoutMs` of its last sign of life, and
 * terminate() drops it at once instead of waiting for a close handshake that will never come.
 * Talking clients (PeerJS heartbeats every 5 s) are never pinged: liveness adds no traffic for
 * them. Each socket has its own slot in the round, so the work is spread over time.
 */
export function startHeartbeat(sockets: () => Iterable<GuardedSocket>, timeoutMs: number): () => void {
  const roundMs = Math.max(50, Math.floor(timeoutMs / 3));
  const slices = Math.max(1, Math.floor(roundMs / SLICE_MS));
  const slots = new WeakMap<GuardedSocket, number>();
  let tick = 0;
  const timer = setInterval(() => {
    const slice = tick++ % slices;
    for (const socket of sockets()) {
      if (socket.guard === undefined) continue; // refused: closing on its own
      let slot = slots.get(socket);
      if (slot === undefined) {
        slot = Math.floor(Math.random() * slices);
        slots.set(socket, slot);
      }
      if (slot !== slice) continue;
      if (socket.heard) {
        socket.heard = false;
        socket.pinged = false;
      } else if (socket.pinged) {
        socket.endReason = 'timeout';
        socket.terminate();
      } else {
        socket.pinged = true;
        socket.ping();
      }
    }
  }, roundMs / slices);
  timer.unref();
  return () => clearInterval(timer);
}
