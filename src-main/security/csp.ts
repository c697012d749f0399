/**
 * The renderer's Content-Security-Policy. Scripts and styles come only from the app itself;
 * the network is reachable only at the signaling server. `dev` loosens exactly what Vite's dev
 * server needs (its inline React-refresh preamble and HMR socket), never in a packaged app.
 */
export function buildContentSecurityPolicy(options: { connectTo: readonly string[]; dev?: boolean }): string {
  const connect = new Set<string>(["'self'"]);
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
  // 'wasm-unsafe-eval' lets the page compile WebAssembly (the streaming digests) and nothing else.
  const script = options.dev ? "'self' 'wasm-unsafe-eval' 'unsafe-inline'" : "'self' 'wasm-unsafe-eval'";
  return [
    "default-src 'none'",
    `script-src ${script}`,
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src ${[...connect].join(' ')}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}
