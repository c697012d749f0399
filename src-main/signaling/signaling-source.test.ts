import { afterEach, describe, expect, it } from 'vitest';
import { startSignalingServer, type SignalingServer } from '../../signaling-server/src/index.js';
import { fetchJsonWithTimeout, resolveSignalingSource, type SignalingEnvironment } from './signaling-source.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of cleanup.splice(0)) await close();
});

function environment(overrides: Partial<SignalingEnvironment>, warnings: string[] = []): SignalingEnvironment {
  return {
    startEmbedded: async () => {
      const server = await startSignalingServer({ host: '127.0.0.1', port: 0 });
      cleanup.push(() => server.close());
      return server;
    },
    fetchJson: fetchJsonWithTimeout,
    warn: (message) => warnings.push(message),
    ...overrides,
  };
}

async function external(options: Parameters<typeof startSignalingServer>[0] = {}): Promise<SignalingServer> {
  const server = await startSignalingServer({ host: '127.0.0.1', port: 0, ...options });
  cleanup.push(() => server.close());
  return server;
}

describe('choosing the signaling server', () => {
  it('starts the bundled server when none is configured, and it answers', async () => {
    const source = await resolveSignalingSource(environment({ configuredUrl: undefined }));
    expect(source.config).toMatchObject({ embedded: true, key: 'peerjs', iceServers: [] });
    const health = (await fetchJsonWithTimeout(new URL('/health', source.config.url).href, 2000)) as { status: string };
    expect(health.status).toBe('ok');
    await source.close();
    await expect(fetchJsonWithTimeout(new URL('/health', source.config.url).href, 2000)).rejects.toThrow();
  });

  it('uses a configured server and the ICE servers it publishes', async () => {
    const server = await external({ iceServers: [{ urls: 'stun:stun.lab.test:3478' }] });
    const source = await resolveSignalingSource(
      environment({ configuredUrl: server.url.replace(/\/$/, ''), configuredKey: 'k1' }),
    );
    expect(source.config).toEqual({
      url: server.url,
      key: 'k1',
      iceServers: [{ urls: 'stun:stun.lab.test:3478' }],
      embedded: false,
    });
  });

  it('goes on without ICE servers, and says so, when /ice does not answer', async () => {
    const warnings: string[] = [];
    const server = await external();
    const url = server.url;
    await server.close();
    const source = await resolveSignalingSource(environment({ configuredUrl: url }, warnings));
    expect(source.config.iceServers).toEqual([]);
    expect(warnings[0]).toMatch(/No ICE servers from http:\/\/127\.0\.0\.1:\d+\/ice/);
  });

  it.each([
    ['not a url', /is not a URL/],
    ['ftp://example.org/', /must start with http:\/\/ or https:\/\//],
  ])('refuses the configured URL %j', async (configuredUrl, message) => {
    await expect(resolveSignalingSource(environment({ configuredUrl }))).rejects.toThrow(message);
  });
});
