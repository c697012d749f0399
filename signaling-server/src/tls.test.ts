import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startSignalingServer, type SignalingServer } from './server.js';

/** A throwaway self-signed certificate for 127.0.0.1, made with openssl. */
function makeCertificate(dir: string): { cert: Buffer; key: Buffer } {
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-days', '1',
    '-keyout', keyFile, '-out', certFile,
  ], { stdio: 'ignore' });
  return { cert: readFileSync(certFile), key: readFileSync(keyFile) };
}

describe('signaling server over TLS', () => {
  let dir: string;
  let tls: { cert: Buffer; key: Buffer };
  let server: SignalingServer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-tls-'));
    tls = makeCertificate(dir);
    server = await startSignalingServer({ host: '127.0.0.1', port: 0, tls });
  });

  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves https and wss with the given certificate', async () => {
    expect(server.url).toBe(`https://127.0.0.1:${server.port}/`);
    const body = await new Promise<string>((resolve, reject) => {
      https
        .get(`https://127.0.0.1:${server.port}/health`, { ca: tls.cert }, (res) => {
          let data = '';
          res.on('data', (d: Buffer) => (data += d.toString()));
          res.on('end', () => resolve(data));
        })
        .on('error', reject);
    });
    expect(JSON.parse(body)).toMatchObject({ status: 'ok' });

    const socket = new WebSocket(`wss://127.0.0.1:${server.port}/peerjs?key=peerjs&id=ferry-tlstlstlstlstlst&token=t`, { ca: tls.cert });
    const [message] = (await once(socket, 'message')) as [Buffer];
    expect(JSON.parse(message.toString())).toEqual({ type: 'OPEN' });
    socket.close();
  });

  it('refuses plain http on the TLS port', async () => {
    await expect(fetch(`http://127.0.0.1:${server.port}/health`)).rejects.toThrow();
  });
});
