import { afterEach, describe, expect, it } from 'vitest';
import { mintAccessToken } from './access-token.js';
import { serverLogger } from './logging.js';
import { startSignalingServer } from './server.js';
import { captureLogs, cleanup, peerId, refused, registered, track } from './test-support/raw-peer.js';

afterEach(cleanup);

const TOKEN_SECRET = 'token-secret-that-must-not-leak';
const TURN_SECRET = 'turn-secret-that-must-not-leak';

describe('logs', () => {
  it('carry connection, request and peer ids, and never a token, secret or TURN credential', async () => {
    const logs = captureLogs();
    const server = track(
      await startSignalingServer({
        host: '127.0.0.1',
        port: 0,
        logger: logs.logger,
        access: { kind: 'hmac', secret: TOKEN_SECRET },
        turn: { urls: ['turn:turn.example.org'], secret: TURN_SECRET, ttlSeconds: 600 },
      }),
    );
    const good = mintAccessToken(TOKEN_SECRET, peerId(1), Math.floor(Date.now() / 1000) + 600);
    const forged = mintAccessToken('an-attacker-guessed-secret', peerId(1), Math.floor(Date.now() / 1000) + 600);
    await refused(server.port, peerId(1), { token: forged });
    await registered(server.port, peerId(1), { token: good });
    const iceRes = await fetch(`http://127.0.0.1:${server.port}/ice?peer=${peerId(1)}&token=${good}`);
    const { iceServers } = (await iceRes.json()) as { iceServers: Array<{ credential: string }> };
    const credential = iceServers[0]?.credential as string;
    await fetch(`http://127.0.0.1:${server.port}/ice?peer=${peerId(1)}`, { headers: { authorization: `Bearer ${forged}` } });

    const text = logs.text();
    for (const secret of [good, forged, TOKEN_SECRET, TURN_SECRET, credential, good.split('.')[1] as string, forged.split('.')[1] as string]) {
      expect(text).not.toContain(secret);
    }
    const lines = logs.lines();
    expect(lines.find((l) => l.msg === 'websocket refused')).toMatchObject({ conn: 1, ip: '127.0.0.1', peer: peerId(1), reason: 'token-invalid' });
    expect(lines.find((l) => l.msg === 'peer registered')).toMatchObject({ conn: 2, peer: peerId(1) });
    expect(lines.find((l) => l.msg === 'ice servers with TURN credentials served')).toMatchObject({ req: expect.any(Number), peer: peerId(1) });
    expect(lines.find((l) => l.msg === 'http request refused')).toMatchObject({ req: expect.any(Number), reason: 'token-invalid', path: '/ice' });
  });

  it('redact secrets even if code puts them in a log object (the net under the rule)', () => {
    const logs = captureLogs();
    const log = serverLogger(logs.logger);
    log.info(
      { token: 't1', turnSecret: 't2', nested: { credential: 't3', secret: 't4', query: { token: 't5' }, headers: { authorization: 'Bearer t6' } } },
      'probe',
    );
    expect(logs.lines()[0]).toMatchObject({ token: '[redacted]', turnSecret: '[redacted]', nested: { credential: '[redacted]', secret: '[redacted]', query: '[redacted]' } });
    expect(logs.text()).not.toMatch(/t[1-6]\b/);
  });
});
