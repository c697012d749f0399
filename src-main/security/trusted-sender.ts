import type { IpcCaller } from '../ipc/dispatcher.js';

/**
 * Only the top frame of Ferry's own renderer may call main. `rendererUrl` is what the window
 * loaded: a file:// URL in the packaged app (same file required), or the dev server / test
 * origin over http(s) (same origin required).
 */
export function createSenderCheck(rendererUrl: string): (caller: IpcCaller) => boolean {
  const expected = new URL(rendererUrl);
  return ({ frameUrl, isMainFrame }) => {
    if (!isMainFrame || frameUrl === undefined) return false;
    let actual: URL;
    try {
      actual = new URL(frameUrl);
    } catch {
      return false;
    }
    if (expected.protocol === 'file:') {
      return actual.protocol === 'file:' && actual.pathname === expected.pathname;
    }
    return actual.origin === expected.origin;
  };
}
