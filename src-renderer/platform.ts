import type { FerryApi, IpcResult } from '../src-main/preload/api';

declare global {
  interface Window {
    /** Installed by the preload (or, in tests, by the harness over the same contract). */
    ferry?: FerryApi;
  }
}

export class PlatformError extends Error {
  override readonly name = 'PlatformError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function ferryApi(): FerryApi {
  const api = window.ferry;
  if (!api) {
    throw new PlatformError('NO_PRELOAD', "Ferry's bridge to the app is missing: start Ferry with `npm start`.");
  }
  return api;
}

/** Unwraps an IPC result, turning an error result into a thrown PlatformError. */
export async function call<T>(result: Promise<IpcResult<T>>): Promise<T> {
  const answer = await result;
  if (answer.ok) return answer.value;
  throw new PlatformError(answer.error.code, answer.error.message);
}
