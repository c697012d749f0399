import { z } from 'zod';
import type { Engine } from '../engine.js';
import type { OutgoingFiles } from '../ports/host.js';
import { ENGINE_COMMANDS, type EngineCommandName, HELLO_REQUEST, SNAPSHOT_NOTE } from './engine-protocol.js';
import type { PortLike } from './port.js';
import { handler, type RpcHandlers, RpcPeer } from './rpc.js';

/**
 * Serves an engine to one view over a port: the view's commands, checked, run on the engine;
 * the engine's state pushed on every change (changes in one task go out as one snapshot), never
 * polled. Only the host can turn paths into files (`filesOf`).
 */
export function serveEngine(engine: Engine, port: PortLike, host: { filesOf(paths: string[]): Promise<OutgoingFiles> }): { close(): void } {
  const c = ENGINE_COMMANDS;
  const handlers = {
    [HELLO_REQUEST]: handler(z.tuple([]), () => engine.getSnapshot()),
    retrySignalingNow: handler(c.retrySignalingNow, () => engine.retrySignalingNow()),
    connectTo: handler(c.connectTo, (peerId) => engine.connectTo(peerId)),
    checkPresenceNow: handler(c.checkPresenceNow, (peerId) => engine.checkPresenceNow(peerId)),
    unpairDevice: handler(c.unpairDevice, (peerId) => engine.unpairDevice(peerId)),
    renameDevice: handler(c.renameDevice, (peerId, name) => engine.renameDevice(peerId, name)),
    forgetDevice: handler(c.forgetDevice, (peerId) => engine.forgetDevice(peerId)),
    saveSettings: handler(c.saveSettings, (patch) => engine.saveSettings(patch)),
    acceptTransfer: handler(c.acceptTransfer, (peerId, key, options) => engine.acceptTransfer(peerId, key, options)),
    declineTransfer: handler(c.declineTransfer, (peerId, key) => engine.declineTransfer(peerId, key)),
    cancelTransfer: handler(c.cancelTransfer, (peerId, key) => engine.cancelTransfer(peerId, key)),
    discardTransfer: handler(c.discardTransfer, (peerId, key) => engine.discardTransfer(peerId, key)),
    removeConversation: handler(c.removeConversation, (peerId) => engine.removeConversation(peerId)),
    removeHistoryEntry: handler(c.removeHistoryEntry, (id) => engine.removeHistoryEntry(id)),
    clearHistory: handler(c.clearHistory, () => engine.clearHistory()),
    pauseTransfer: handler(c.pauseTransfer, (peerId, key) => engine.pauseTransfer(peerId, key)),
    resumeTransfer: handler(c.resumeTransfer, (peerId, key) => engine.resumeTransfer(peerId, key)),
    showPairingCode: handler(c.showPairingCode, () => engine.showPairingCode()),
    enterPairingCode: handler(c.enterPairingCode, (text) => engine.enterPairingCode(text)),
    cancelPairing: handler(c.cancelPairing, () => engine.cancelPairing()),
    sendText: handler(c.sendText, (peerId, body) => engine.sendText(peerId, body)),
    linkDiagnostics: handler(c.linkDiagnostics, (peerId) => engine.linkDiagnostics(peerId)),
    sendPaths: handler(c.sendPaths, async (peerId, paths) => engine.sendFiles(peerId, await host.filesOf(paths))),
    sendPathsWithCode: handler(c.sendPathsWithCode, async (paths) => engine.sendFilesWithCode(await host.filesOf(paths))),
    receiveWithCode: handler(c.receiveWithCode, (code) => engine.receiveWithCode(code)),
    cancelCodeTransfer: handler(c.cancelCodeTransfer, () => engine.cancelCodeTransfer()),
  } satisfies Record<EngineCommandName | typeof HELLO_REQUEST, unknown> as RpcHandlers;
  const rpc = new RpcPeer(port, handlers);
  let scheduled = false;
  const unsubscribe = engine.subscribe(() => {
    if (scheduled) return;
    scheduled = true;
    queueMicrotask(() => {
      scheduled = false;
      rpc.note(SNAPSHOT_NOTE, engine.getSnapshot());
    });
  });
  return {
    close: () => {
      unsubscribe();
      rpc.close();
    },
  };
}
