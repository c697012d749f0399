/**
 * The renderer's Content-Security-Policy. Scripts and styles come only from the app itself; the
 * window reaches no network (the engine, in its own process, does): `connectTo` is for test pages
 * and the dev server. `dev` loosens exactly what Vite's dev server needs (its inline React-refresh
 * preamble and HMR socket), never in a packaged app; `wasm` lets a page compile WebAssembly (the
 * Chromium test peer's digests), which the app's window never does.
 */
export function buildContentSecurityPolicy(options: { connectTo: readonly string[]; dev?: boolean; wasm?: boolean }): string {
  const connect = new Set<string>();
  for (const url of options.connectTo) {
    const { protocol, host } = new URL(url);
    if (protocol === 'http:' || protocol === 'ws:') {
      connect.add(`http://${host}`);
      connect.add(`ws://${host}`);
    } else if (protocol === 'https:' || protocol === 'wss:') {
      connect.add(`https://${host}`);
      connect.add(`wss://${host}`);
    }
  }
  // 'wasm-unsafe-eval' lets a page compile WebAssembly and nothing else.
  const script = ["'self'", ...(options.wasm ? ["'wasm-unsafe-eval'"] : []), ...(options.dev ? ["'unsafe-inline'"] : [])].join(' ');
  return [
    "default-src 'none'",
    `script-src ${script}`,
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src ${connect.size > 0 ? [...connect].join(' ') : "'none'"}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}
