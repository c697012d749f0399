import { describe, expect, it } from 'vitest';
import { buildContentSecurityPolicy } from './csp.js';

function directives(csp: string): Map<string, string[]> {
  return new Map(csp.split('; ').map((d) => {
    const [name = '', ...values] = d.split(' ');
    return [name, values];
  }));
}

describe('Content-Security-Policy', () => {
  it('the app’s window: scripts only from the app, no network, no WebAssembly', () => {
    const csp = directives(buildContentSecurityPolicy({ connectTo: [] }));
    expect(csp.get('default-src')).toEqual(["'none'"]);
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(csp.get('connect-src')).toEqual(["'none'"]);
    expect(csp.get('object-src')).toEqual(["'none'"]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
  });

  it('a test page: the network only where it is told, WebAssembly when asked', () => {
    const csp = directives(buildContentSecurityPolicy({ connectTo: ['http://10.0.0.5:9000/signal/'], wasm: true }));
    expect(csp.get('script-src')).toEqual(["'self'", "'wasm-unsafe-eval'"]);
    expect(csp.get('connect-src')).toEqual(['http://10.0.0.5:9000', 'ws://10.0.0.5:9000']);
    expect(csp.get('object-src')).toEqual(["'none'"]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
  });

  it('pairs https with wss', () => {
    const csp = directives(buildContentSecurityPolicy({ connectTo: ['https://signal.example.org/'] }));
    expect(csp.get('connect-src')).toEqual(['https://signal.example.org', 'wss://signal.example.org']);
  });

  it('loosens script-src only for the dev server', () => {
    expect(buildContentSecurityPolicy({ connectTo: [] })).not.toContain('unsafe-inline');
    expect(buildContentSecurityPolicy({ connectTo: [], dev: true })).toContain("script-src 'self' 'unsafe-inline'");
  });
});
