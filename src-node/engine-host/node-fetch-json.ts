import type { FetchJson } from '../../src-engine/index.js';

/** JSON over HTTP(S) with Node's fetch, bounded in time; a non-2xx answer is an error. */
export const nodeFetchJson: FetchJson = async (url, timeoutMs) => {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return response.json() as Promise<unknown>;
};
