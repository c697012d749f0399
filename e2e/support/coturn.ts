import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LabHost } from '../lab/lab.js';
import type { TrackedProcess } from '../lab/processes.js';
import { runProbe } from './turn-probe.js';

export const TURNSERVER_PATH = process.env.FERRY_TURNSERVER ?? 'turnserver';

export interface Coturn {
  /** turn:<address>:<port> (UDP), as ferry-signal's --turn-url takes it. */
  readonly turnUrl: string;
  /** stun:<address>:<port>: coturn answers STUN Binding requests too. */
  readonly stunUrl: string;
  /** <address>:<port>, for the probe. */
  readonly endpoint: string;
  readonly address: string;
  readonly port: number;
  /** static-auth-secret: what ferry-signal's --turn-secret must be. */
  readonly secret: string;
  readonly realm: string;
  readonly process: TrackedProcess;
  /** Allocations coturn granted so far, from its log. */
  sessions(): CoturnSession[];
}

export function assertTurnserverPresent(): void {
  try {
    execFileSync('sh', ['-c', `command -v ${TURNSERVER_PATH}`], { stdio: 'ignore' });
  } catch {
    throw new Error(`coturn's turnserver not found (${TURNSERVER_PATH}). Install it: apt-get install -y coturn.`);
  }
}

/**
 * Starts coturn (Debian's `turnserver`) on a lab host, the way an operator would run it for Ferry:
 * the TURN REST API (`use-auth-secret` with a `static-auth-secret`, the secret ferry-signal mints
 * credentials from), plain UDP/TCP only, no CLI, the log on stdout. The config goes into a file of
 * its own (never /etc/turnserver.conf); the pid file and user database stay in that folder too,
 * so a system coturn, if one runs, is neither touched nor relied on: in namespace mode it is not
 * even reachable, as the lab host has a network stack of its own. Resolves once coturn answers a
 * STUN Binding request on its address.
 */
export async function startCoturn(host: LabHost, options: { port?: number; secret?: string; realm?: string } = {}): Promise<Coturn> {
  assertTurnserverPresent();
  const port = options.port ?? 3478;
  const secret = options.secret ?? randomBytes(24).toString('hex');
  const realm = options.realm ?? 'ferry.lab';
  const address = host.address;
  const dir = mkdtempSync(join(tmpdir(), 'ferry-coturn-'));
  const config = join(dir, 'turnserver.conf');
  const lab = labRange(address);
  writeFileSync(
    config,
    [
      `listening-ip=${address}`,
      `relay-ip=${address}`,
      `listening-port=${port}`,
      // Relay ports: a range of their own, not the ephemeral ports everything else uses.
      'min-port=40000',
      'max-port=40999',
      `realm=${realm}`,
      'use-auth-secret',
      `static-auth-secret=${secret}`,
      'fingerprint',
      'no-cli',
      'no-tls',
      'no-dtls',
      // One address: no RFC 5780 second address to answer CHANGE-REQUEST from.
      'no-rfc5780',
      'no-multicast-peers',
      // Peers coturn may relay to. A production TURN server must not relay into private
      // networks (else anyone with a credential reaches the operator's internal hosts), so it sets
      // denied-peer-ip for 10/8, 172.16/12, 192.168/16, 100.64/10, 169.254/16 and so on. The lab
      // IS a private network: everything on it, the relay addresses and the NATs' public legs
      // included, lives in 10.77.x.y. So the production deny list stays, and only the lab's own
      // subnet is let through by allowed-peer-ip (which coturn checks first). Inside addresses
      // behind the lab's NATs (192.168/16) stay denied, as a home LAN behind a real NAT would be.
      ...(host.netns
        ? [
            'denied-peer-ip=10.0.0.0-10.255.255.255',
            'denied-peer-ip=172.16.0.0-172.31.255.255',
            'denied-peer-ip=192.168.0.0-192.168.255.255',
            'denied-peer-ip=100.64.0.0-100.127.255.255',
            'denied-peer-ip=169.254.0.0-169.254.255.255',
            `allowed-peer-ip=${lab}`,
          ]
        : // On the host network (a developer laptop) everything is 127.0.0.1.
          ['allow-loopback-peers', 'allowed-peer-ip=127.0.0.1']),
      'log-file=stdout',
      'simple-log',
      'verbose',
      `pidfile=${join(dir, 'turnserver.pid')}`,
      `userdb=${join(dir, 'turndb')}`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  const proc = host.spawn('turnserver', TURNSERVER_PATH, ['-c', config]);
  void proc.exited.then(() => rmSync(dir, { recursive: true, force: true }));
  const endpoint = `${address}:${port}`;
  try {
    await runProbe(host, { cmd: 'wait-stun', server: endpoint, timeoutMs: 10_000 }, 15_000);
  } catch (error) {
    await proc.stop();
    throw new Error(`coturn did not answer on ${endpoint}: ${(error as Error).message}\ncoturn said:\n${proc.log}`, { cause: error });
  }
  return {
    turnUrl: `turn:${endpoint}`,
    stunUrl: `stun:${endpoint}`,
    endpoint,
    address,
    port,
    secret,
    realm,
    process: proc,
    sessions: () => sessionsIn(proc.log),
  };
}

/** "10.77.3.12" -> "10.77.3.0-10.77.3.255": the lab bridge's /24. */
function labRange(address: string): string {
  const prefix = address.split('.').slice(0, 3).join('.');
  return `${prefix}.0-${prefix}.255`;
}

export interface CoturnSession {
  id: string;
  /** The REST username the allocation was granted to ("<expiry>:<peer id>"). */
  username: string;
  /** Where the client's packets came from; coturn names it when the session closes. */
  remote: string | undefined;
  /** Bytes relayed from and to the peer side (coturn reports them per period: summed here). */
  peerBytes: { received: number; sent: number };
  closed: boolean;
}

/**
 * coturn 4.6's log, per session (verbose):
 *   session 000000000000000002: realm <ferry.lab> user <1700000000:ferry-…>: incoming packet ALLOCATE processed, success
 *   session 000000000000000002: peer usage: realm=<ferry.lab>, username=<…>, rp=3, rb=284, sp=3, sb=300
 * (a usage report now and then while the session lives, and a last one when it closes; each
 * counts what moved since the one before)
 *   session 000000000000000002: closed (2nd stage), user <…> realm <ferry.lab> origin <>, local 10.77.1.10:3478, remote 10.77.1.11:60748, reason: …
 */
function sessionsIn(log: string): CoturnSession[] {
  const sessions = new Map<string, CoturnSession>();
  for (const line of log.split('\n')) {
    const id = /session (\d+): /.exec(line)?.[1];
    if (!id) continue;
    const granted = /user <([^>]*)>: incoming packet ALLOCATE processed, success/.exec(line);
    if (granted) sessions.set(id, { id, username: granted[1] as string, remote: undefined, peerBytes: { received: 0, sent: 0 }, closed: false });
    const session = sessions.get(id);
    if (!session) continue;
    const usage = /peer usage: .*rb=(\d+), sp=\d+, sb=(\d+)/.exec(line);
    if (usage) {
      session.peerBytes.received += Number(usage[1]);
      session.peerBytes.sent += Number(usage[2]);
    }
    const closed = /closed \(2nd stage\).*remote (\d+\.\d+\.\d+\.\d+:\d+)/.exec(line);
    if (closed) {
      session.remote = closed[1];
      session.closed = true;
    }
  }
  return [...sessions.values()];
}
