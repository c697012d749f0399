import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  canUseNetns,
  deleteNamespace,
  ip,
  listNamespaces,
  namespaceName,
  ownerOf,
} from './netns.js';
import { isAlive, killAllTrackedSync, spawnTracked, type TrackedProcess } from './processes.js';

export interface LabHost {
  readonly name: string;
  /** The address other hosts reach this one at. */
  readonly address: string;
  /** The namespace, or undefined when the lab runs on the host network. */
  readonly netns: string | undefined;
  spawn(label: string, command: string, args: readonly string[], env?: NodeJS.ProcessEnv): TrackedProcess;
  /** An executable that runs `binary` inside this host (a wrapper script in namespace mode). */
  wrapExecutable(binary: string): string;
}

export interface LabOptions {
  hosts: readonly string[];
  /** Force host-network mode even as root. */
  hostNetwork?: boolean;
}

const TUNLINK = fileURLToPath(new URL('./tunlink.py', import.meta.url));
let runCounter = 0;
const liveLabs = new Set<Lab>();

/**
 * A set of test hosts on one private bridge. As root: one network namespace per host, each
 * with a default route (Chromium gathers no ICE candidates without one). Otherwise (a developer
 * laptop) every host is the machine itself on 127.0.0.1.
 */
export class Lab {
  private readonly hostsByName = new Map<string, LabHost>();
  private readonly namespaces: string[] = [];
  private readonly processes: TrackedProcess[] = [];
  private readonly tempDir = mkdtempSync(join(tmpdir(), 'ferry-lab-'));
  private disposed = false;
  private linkCount = 0;

  private constructor(readonly mode: 'netns' | 'host-network') {
    liveLabs.add(this);
  }

  static create(options: LabOptions): Lab {
    const useNetns = !options.hostNetwork && canUseNetns();
    const lab = new Lab(useNetns ? 'netns' : 'host-network');
    try {
      if (useNetns) {
        removeAbandonedNamespaces();
        lab.buildNetwork(options.hosts);
      } else {
        for (const name of options.hosts) lab.addHost(name, '127.0.0.1', undefined);
      }
    } catch (error) {
      lab.disposeSync();
      throw error;
    }
    return lab;
  }

  host(name: string): LabHost {
    const host = this.hostsByName.get(name);
    if (!host) throw new Error(`no lab host "${name}"`);
    return host;
  }

  get namespaceNames(): readonly string[] {
    return this.namespaces;
  }

  get trackedProcesses(): readonly TrackedProcess[] {
    return this.processes;
  }

  /**
   * Joins two hosts with an impaired point-to-point link (a userspace TUN forwarder: delay,
   * jitter, loss, rate) and makes it their default route, so WebRTC between them takes it while
   * the bridge still reaches the other hosts. Namespace mode only.
   */
  async addImpairedLink(
    a: string,
    b: string,
    impairment: { delayMs?: number; jitterMs?: number; loss?: number; rateMbit?: number },
  ): Promise<{ addressA: string; addressB: string; forwarder: TrackedProcess }> {
    const hostA = this.host(a);
    const hostB = this.host(b);
    if (!hostA.netns || !hostB.netns) throw new Error('impaired links need the namespace lab (root)');
    const n = ++this.linkCount;
    const addressA = `10.88.${n}.1`;
    const addressB = `10.88.${n}.2`;
    const forwarder = spawnTracked('tunlink', 'python3', [
      TUNLINK,
      '--ns-a', hostA.netns, '--ns-b', hostB.netns,
      '--addr-a', addressA, '--addr-b', addressB,
      '--delay-ms', String(impairment.delayMs ?? 0),
      '--jitter-ms', String(impairment.jitterMs ?? 0),
      '--loss', String(impairment.loss ?? 0),
      '--rate-mbit', String(impairment.rateMbit ?? 0),
    ]);
    this.processes.push(forwarder);
    await forwarder.waitForLine(/"event": "ready"/, 10_000);
    ip(['-n', hostA.netns, 'route', 'replace', 'default', 'dev', 'ftuna']);
    ip(['-n', hostB.netns, 'route', 'replace', 'default', 'dev', 'ftunb']);
    return { addressA, addressB, forwarder };
  }

  /** Stops every process (SIGTERM, then SIGKILL) and removes every namespace. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    await Promise.all(this.processes.map((p) => p.stop()));
    this.disposeSync();
  }

  private disposeSync(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const p of this.processes) if (p.running) process.kill(p.pid, 'SIGKILL');
    for (const ns of [...this.namespaces].reverse()) deleteNamespace(ns);
    rmSync(this.tempDir, { recursive: true, force: true });
    liveLabs.delete(this);
  }

  private buildNetwork(hostNames: readonly string[]): void {
    const run = ++runCounter;
    const sw = namespaceName(process.pid, run, 'sw');
    this.createNamespace(sw);
    ip(['-n', sw, 'link', 'add', 'br0', 'type', 'bridge']);
    ip(['-n', sw, 'link', 'set', 'br0', 'up']);
    hostNames.forEach((name, index) => {
      if (!/^[a-z][a-z0-9]{0,11}$/.test(name)) throw new Error(`bad lab host name "${name}"`);
      const ns = namespaceName(process.pid, run, name);
      const address = `10.77.${run % 250}.${index + 10}`;
      const port = `p${index}`;
      this.createNamespace(ns);
      ip(['-n', sw, 'link', 'add', port, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
      ip(['-n', sw, 'link', 'set', port, 'master', 'br0']);
      ip(['-n', sw, 'link', 'set', port, 'up']);
      ip(['-n', ns, 'addr', 'add', `${address}/24`, 'dev', 'eth0']);
      ip(['-n', ns, 'link', 'set', 'eth0', 'up']);
      ip(['-n', ns, 'route', 'add', 'default', 'dev', 'eth0']);
      this.addHost(name, address, ns);
    });
  }

  private createNamespace(ns: string): void {
    ip(['netns', 'add', ns]);
    this.namespaces.push(ns);
    ip(['-n', ns, 'link', 'set', 'lo', 'up']);
  }

  private addHost(name: string, address: string, netns: string | undefined): void {
    const host: LabHost = {
      name,
      address,
      netns,
      spawn: (label, command, args, env) => {
        const proc = netns
          ? spawnTracked(label, 'ip', ['netns', 'exec', netns, command, ...args], { env })
          : spawnTracked(label, command, args, { env });
        this.processes.push(proc);
        return proc;
      },
      wrapExecutable: (binary) => {
        if (!netns) return binary;
        const wrapper = join(this.tempDir, `${name}-${binary.replace(/\W+/g, '_')}.sh`);
        // exec keeps the PID: what the caller starts and kills is the binary itself.
        writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec '${netns}' '${binary}' "$@"\n`);
        chmodSync(wrapper, 0o755);
        return wrapper;
      },
    };
    this.hostsByName.set(name, host);
  }
}

/** Namespaces left by a test process that died before it could clean up. */
function removeAbandonedNamespaces(): void {
  for (const ns of listNamespaces()) {
    const owner = ownerOf(ns);
    if (owner !== undefined && owner !== process.pid && !isAlive(owner)) deleteNamespace(ns);
  }
}

// If the test process is torn down without running its hooks, still leave nothing behind.
process.once('exit', () => {
  killAllTrackedSync();
  for (const lab of liveLabs) {
    try {
      (lab as unknown as { disposeSync(): void }).disposeSync();
    } catch {
      // best effort on the way out
    }
  }
});
