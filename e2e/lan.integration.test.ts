import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { Lab } from './lab/lab.js';
import { canUseNetns } from './lab/netns.js';
import type { TrackedProcess } from './lab/processes.js';

const LAN_NODE = fileURLToPath(new URL('./hosts/lan-node.ts', import.meta.url));
const ROGUE = fileURLToPath(new URL('./hosts/rogue-advert.ts', import.meta.url));

const labs: Lab[] = [];
afterEach(async () => {
  for (const lab of labs.splice(0)) await lab.dispose();
});

type State = { kind: 'searching' } | { kind: 'hosting'; serverId: string; port: number } | { kind: 'joined'; server: { serverId: string; host: string } };

/** The last state a node printed. */
function stateOf(node: TrackedProcess): State | undefined {
  const lines = node.log.split('\n').filter((l) => l.includes('"event":"state"'));
  const last = lines.at(-1);
  return last ? (JSON.parse(last) as { state: State }).state : undefined;
}

const serverOf = (state: State | undefined) => (state?.kind === 'hosting' ? state.serverId : state?.kind === 'joined' ? state.server.serverId : undefined);

async function until(check: () => boolean, what: string, timeoutMs: number, nodes: TrackedProcess[]): Promise<number> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms: ${what}\n${nodes.map((n) => n.log).join('\n---\n')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return Date.now() - started;
}

// mDNS is multicast: on the host network it would reach the real LAN, which tests must never
// touch. Without root there are no namespaces, so these run only as root (as CI does).
describe.skipIf(!canUseNetns())('zero configuration on a LAN: real mDNS between lab hosts', () => {
  const start = (lab: Lab, host: string, serverId: string) => lab.host(host).spawn(`lan-${host}`, process.execPath, ['--import', 'tsx', LAN_NODE, serverId]);

  it('A starts alone and hosts; B and C join it; A quits and B and C re-elect within 10 s', { timeout: 60_000 }, async () => {
    const lab = Lab.create({ hosts: ['a', 'b', 'c'] });
    labs.push(lab);
    const a = start(lab, 'a', 'kkkkkkkkkkkkkkkk');
    await a.waitForLine(/"event":"started"/, 15_000);
    expect(stateOf(a)).toMatchObject({ kind: 'hosting', serverId: 'kkkkkkkkkkkkkkkk' });
    // B's id is lower than A's: it still joins the server that is running.
    const b = start(lab, 'b', 'dddddddddddddddd');
    const c = start(lab, 'c', 'ssssssssssssssss');
    await Promise.all([b.waitForLine(/"event":"started"/, 15_000), c.waitForLine(/"event":"started"/, 15_000)]);
    expect(stateOf(b)).toMatchObject({ kind: 'joined', server: { serverId: 'kkkkkkkkkkkkkkkk', host: lab.host('a').address } });
    expect(stateOf(c)).toMatchObject({ kind: 'joined', server: { serverId: 'kkkkkkkkkkkkkkkk', host: lab.host('a').address } });

    // A's host goes away without a word (killed: no mDNS goodbye, no closing handshake).
    process.kill(a.pid, 'SIGKILL');
    const took = await until(() => serverOf(stateOf(b)) === 'dddddddddddddddd' && serverOf(stateOf(c)) === 'dddddddddddddddd', 'B and C agree on B', 10_000, [b, c]);
    expect(stateOf(b)?.kind).toBe('hosting');
    expect(stateOf(c)).toMatchObject({ kind: 'joined', server: { host: lab.host('b').address } });
    console.log(`re-elected in ${took} ms`);
  });

  it('apps that start at the same instant end on one server', { timeout: 60_000 }, async () => {
    const lab = Lab.create({ hosts: ['x', 'y', 'z'] });
    labs.push(lab);
    const nodes = [start(lab, 'x', 'tttttttttttttttt'), start(lab, 'y', 'gggggggggggggggg'), start(lab, 'z', 'pppppppppppppppp')];
    await until(() => nodes.every((n) => serverOf(stateOf(n)) === 'gggggggggggggggg'), 'everyone on G', 20_000, nodes);
    expect(stateOf(nodes[1] as TrackedProcess)?.kind).toBe('hosting');
  });

  it('a rogue advertisement (lowest id, nothing behind it) is checked, logged and ignored', { timeout: 60_000 }, async () => {
    const lab = Lab.create({ hosts: ['rogue', 'app'] });
    labs.push(lab);
    const rogue = lab.host('rogue').spawn('rogue', process.execPath, ['--import', 'tsx', ROGUE]);
    await rogue.waitForLine(/"event":"advertising"/, 15_000);
    const app = start(lab, 'app', 'mmmmmmmmmmmmmmmm');
    await app.waitForLine(/"event":"started"/, 20_000);
    expect(stateOf(app)).toMatchObject({ kind: 'hosting', serverId: 'mmmmmmmmmmmmmmmm' });
    expect(app.log).toMatch(/ignoring server aaaaaaaaaaaaaaaa at .*:9: it failed its health check/);
  });
});
