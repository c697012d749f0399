import type { FetchJson } from '../../src-engine/index.js';

/** JSON over HTTP(S) with Node's fetch, bounded in time; a non-2xx answer is an error. With a body: POSTed as JSON. */
export const nodeFetchJson: FetchJson = async (url, timeoutMs, body) => {
  const post = body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), ...post });
  if (!response.ok) throw Object.assign(new Error(`${url} answered ${response.status}`), { status: response.status });
  return response.json() as Promise<unknown>;
};
