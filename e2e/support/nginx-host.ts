import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LabHost } from '../lab/lab.js';
import type { TrackedProcess } from '../lab/processes.js';

/**
 * Debian's nginx on a lab host, in front of signaling nodes as docs/self-hosting.md puts it:
 * WebSocket upgrade, X-Forwarded-For, a read timeout above the heartbeat. `http` is the inside of
 * its http {} block after the common settings (upstreams, maps, the server block).
 */
export async function startNginxHost(host: LabHost, http: string): Promise<{ process: TrackedProcess; dispose(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-nginx-'));
  mkdirSync(join(dir, 'logs'));
  writeFileSync(
    join(dir, 'nginx.conf'),
    `user root;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log stderr warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  map $http_upgrade $connection_upgrade { default upgrade; '' close; }
${http}
}
`,
  );
  const proc = host.spawn('nginx', 'nginx', ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', 'stderr', '-g', 'daemon off;']);
  // nginx prints nothing when it starts well: give it a moment, then make sure it is still there.
  await new Promise((r) => setTimeout(r, 500));
  if (!proc.running) throw new Error(`nginx did not start:\n${proc.log}`);
  return {
    process: proc,
    dispose: async () => {
      await proc.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The proxy settings of one location (the docs' nginx block says why each is there). */
export const SIGNAL_PROXY = `
    proxy_http_version 1.1;
    proxy_set_header Upgrade $http_upgrade;
    proxy_set_header Connection $connection_upgrade;
    proxy_set_header Host $host;
    proxy_set_header X-Forwarded-For $remote_addr;
    proxy_read_timeout 120s;
    proxy_connect_timeout 2s;
    proxy_next_upstream error timeout;`;
