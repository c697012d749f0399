import type { ChildProcess } from 'node:child_process';
import type { WebSocket } from 'ws';
import type { PortLike } from '../../src-engine/remote/port.js';

/** This process's IPC channel to the process that forked it. */
export function parentProcessPort(): PortLike {
  const send = process.send?.bind(process);
  if (!send) throw new Error('This process was not started with an IPC channel.');
  return {
    post: (message) => void send(message),
    onMessage: (listener) => {
      process.on('message', listener);
      return () => process.off('message', listener);
    },
  };
}

/** A forked child's IPC channel, from the parent's side. */
export function childProcessPort(child: ChildProcess): PortLike {
  return {
    post: (message) => {
      if (child.connected) child.send(message as never);
    },
    onMessage: (listener) => {
      child.on('message', listener);
      return () => child.off('message', listener);
    },
  };
}

/** A WebSocket carrying JSON messages (the lab's stand-in for a MessagePort to the window). */
export function webSocketPort(socket: WebSocket): PortLike {
  return {
    post: (message) => {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
    },
    onMessage: (listener) => {
      const onMessage = (data: unknown, isBinary: boolean) => {
        if (isBinary) return;
        try {
          listener(JSON.parse(String(data)));
        } catch {
          // Not JSON: nobody's message.
        }
      };
      socket.on('message', onMessage);
      return () => socket.off('message', onMessage);
    },
  };
}
