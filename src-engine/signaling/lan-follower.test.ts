import { describe, expect, it } from 'vitest';
import { ManualRuntime } from '../../src-core/testing/manual-runtime.js';
import { LanFollower } from './lan-follower.js';

/** A server that lists nobody: every /nearby is answered 404, as ferry-signal without --list-peers does. */
function unlistedServer() {
  const asked: string[] = [];
  const fetchJson = async (url: string) => {
    asked.push(url);
    throw Object.assign(new Error(`${url} answered 404`), { status: 404 });
  };
  return { asked, fetchJson };
}

async function follow(options: { stopUnlisted: boolean }) {
  const runtime = new ManualRuntime();
  const server = unlistedServer();
  const follower = new LanFollower(
    runtime,
    'http://signal.example:9000/',
    { lanStatus: async () => null, fetchJson: server.fetchJson, nameCard: async () => ({}) as never, selfId: () => 'ferry-self' },
    { status: () => {}, nearby: () => {} },
    options,
  );
  follower.start();
  for (let i = 0; i < 5; i++) {
    await new Promise((r) => setTimeout(r, 0));
    runtime.advance(2000);
  }
  follower.stop();
  return server.asked;
}

describe('LanFollower', () => {
  it('stops asking a server set by address once it says it lists nobody', async () => {
    expect(await follow({ stopUnlisted: true })).toEqual(['http://signal.example:9000/nearby?peer=ferry-self']);
  });

  it('keeps asking the built-in server (it may move, and list again)', async () => {
    expect((await follow({ stopUnlisted: false })).length).toBeGreaterThan(2);
  });
});
