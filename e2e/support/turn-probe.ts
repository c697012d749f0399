import { fileURLToPath } from 'node:url';
import type { LabHost } from '../lab/lab.js';
import type { TrackedProcess } from '../lab/processes.js';

const PROBE = fileURLToPath(new URL('../hosts/turn-probe.ts', import.meta.url));

export interface StunAddress {
  address: string;
  port: number;
}

export type ProbeCommand =
  | { cmd: 'wait-stun'; server: string; timeoutMs?: number }
  | { cmd: 'mapping'; servers: string[] }
  | { cmd: 'allocate'; server: string; username: string; password: string }
  | { cmd: 'fetch-json'; url: string };

export type AllocateAnswer =
  | { ok: true; relayed: StunAddress; mapped?: StunAddress; realm: string }
  | { ok: false; code: number; reason: string; realm?: string };

export interface MappingAnswer {
  /** The probe socket's own port. */
  local: number;
  /** What each STUN server saw the socket as, in order. */
  mapped: StunAddress[];
}

/** Runs e2e/hosts/turn-probe.ts on a lab host and resolves with its answer (it exits after one). */
export async function runProbe(host: LabHost, command: { cmd: 'allocate' } & ProbeCommand, timeoutMs?: number): Promise<AllocateAnswer>;
export async function runProbe(host: LabHost, command: { cmd: 'mapping' } & ProbeCommand, timeoutMs?: number): Promise<MappingAnswer>;
export async function runProbe(host: LabHost, command: { cmd: 'fetch-json' } & ProbeCommand, timeoutMs?: number): Promise<{ status: number; body: unknown }>;
export async function runProbe(host: LabHost, command: ProbeCommand, timeoutMs?: number): Promise<unknown>;
export async function runProbe(host: LabHost, command: ProbeCommand, timeoutMs = 15_000): Promise<unknown> {
  const probe = host.spawn(`probe-${command.cmd}`, process.execPath, ['--import', 'tsx', PROBE, JSON.stringify(command)]);
  try {
    const line = await probe.waitForLine(/^\{"event":"(stun-ready|mapping|allocate|fetched|error)"/, timeoutMs);
    const answer = JSON.parse(line) as { event: string; message?: string };
    if (answer.event === 'error') throw new Error(`probe ${command.cmd} on ${host.name}: ${answer.message}`);
    const { event: _event, ...rest } = answer;
    return rest;
  } finally {
    await probe.stop();
  }
}

/** ferry-signal's answer to GET /ice: STUN and TURN servers, the TURN credential's expiry. */
export interface IceAnswer {
  iceServers: Array<{ urls: string | string[]; username?: string; credential?: string }>;
  ttl?: number;
  expiresAt?: number;
}

/** GET <signal>/ice?peer=<id> from a lab host, as the app's main does. */
export async function fetchIce(host: LabHost, signalUrl: string, peerId: string): Promise<IceAnswer & { turn: { username: string; credential: string } }> {
  const url = new URL('/ice', signalUrl);
  url.searchParams.set('peer', peerId);
  const { status, body } = await runProbe(host, { cmd: 'fetch-json', url: url.href });
  if (status !== 200) throw new Error(`GET ${url.href}: HTTP ${status} ${JSON.stringify(body)}`);
  const answer = body as IceAnswer;
  const turn = answer.iceServers.find((s) => [s.urls].flat().some((u) => u.startsWith('turn:')));
  if (!turn?.username || !turn.credential) throw new Error(`no TURN credential in ${JSON.stringify(body)}`);
  return { ...answer, turn: { username: turn.username, credential: turn.credential } };
}

/** A STUN responder on a lab host (a second STUN endpoint, to tell NAT mapping kinds apart). */
export async function startStunResponder(host: LabHost, port: number): Promise<{ endpoint: string; process: TrackedProcess }> {
  const proc = host.spawn('stun-responder', process.execPath, ['--import', 'tsx', PROBE, JSON.stringify({ cmd: 'stun-server', host: host.address, port })]);
  await proc.waitForLine(/"event":"listening"/, 15_000);
  return { endpoint: `${host.address}:${port}`, process: proc };
}
