import type { FetchJson } from '../src-engine/index';

/** The engine's FetchJson on the browser's fetch: an HTTP refusal is an error with its status (a server that lists nobody answers 404). */
export const browserFetchJson: FetchJson = async (url, timeoutMs, body) => {
  const post = body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), ...post });
  if (!response.ok) throw Object.assign(new Error(`${url} answered ${response.status}`), { status: response.status });
  return response.json() as Promise<unknown>;
};
