import { execFileSync } from 'node:child_process';
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

/**
 * How a lab NAT maps its inside hosts' UDP flows onto its public address:
 * - `masquerade`: plain Linux masquerade, port-preserving, one mapping per inside socket whatever
 *   the destination (endpoint-independent mapping), so the address a STUN server reports is the
 *   one every peer can answer to: hole punching works.
 * - `symmetric`: `masquerade fully-random`, a fresh random public port per destination, so the
 *   address a STUN server reports is of no use to anyone else: only a relay (TURN) gets through.
 * Both filter like a home router: nothing reaches the inside (or the NAT host itself) that does
 * not answer a flow the inside started.
 */
export type NatMode = 'masquerade' | 'symmetric';

export interface NatOptions {
  /** Hosts on the NAT's private network (not on the public bridge): their traffic leaves through it. */
  inside: readonly string[];
  mode: NatMode;
}

export interface LabOptions {
  /** Hosts on the public bridge (10.77.<run>.10, .11, … in this order). */
  hosts: readonly string[];
  /** Force host-network mode even as root. */
  hostNetwork?: boolean;
  /**
   * NAT routers, keyed by the name of a host in `hosts` (its public leg is on the bridge): each
   * gets a private network 192.168.<n>.0/24 of its own (itself at .1, the inside hosts from .10)
   * and IP forwarding with nftables masquerade. Inside hosts route everything through it. Needs
   * the namespace lab (root).
   */
  nat?: Readonly<Record<string, NatOptions>>;
}

export interface LabNat {
  /** The NAT host (on the public bridge). */
  readonly host: string;
  /** The address inside hosts appear from to everyone on the bridge. */
  readonly publicAddress: string;
  /** The NAT host's address on its private network: the inside hosts' gateway. */
  readonly gateway: string;
  readonly inside: readonly string[];
  readonly mode: NatMode;
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
  private readonly nats = new Map<string, LabNat>();
  private run = 0;

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
        Object.entries(options.nat ?? {}).forEach(([host, nat], index) => lab.buildNat(host, nat, index + 1));
      } else {
        if (options.nat && Object.keys(options.nat).length > 0) throw new Error('lab NATs need the namespace lab (root)');
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

  /** The NAT a host sits behind (undefined for hosts on the public bridge). */
  natOf(name: string): LabNat | undefined {
    this.host(name);
    return [...this.nats.values()].find((nat) => nat.inside.includes(name));
  }

  /** The NAT router `host` (a key of the `nat` option). */
  nat(host: string): LabNat {
    const nat = this.nats.get(host);
    if (!nat) throw new Error(`no lab NAT "${host}"`);
    return nat;
  }

  /**
   * The address other hosts see `name`'s traffic come from: its NAT's public address when it sits
   * behind one, else its own.
   */
  publicAddressOf(name: string): string {
    return this.natOf(name)?.publicAddress ?? this.host(name).address;
  }

  /** Switches a NAT to another mapping behaviour; flows it already mapped keep their mapping. */
  setNatMode(host: string, mode: NatMode): void {
    const nat = this.nat(host);
    this.applyNatRules(this.host(host).netns as string, mode);
    this.nats.set(host, { ...nat, mode });
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
    impairment: {
      delayMs?: number;
      jitterMs?: number;
      loss?: number;
      rateMbit?: number;
      /**
       * Drop UDP on both hosts' bridge interface, so WebRTC between them (UDP) can only take the
       * impaired link while TCP (signaling) still uses the bridge.
       */
      udpOnlyHere?: boolean;
    },
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
    if (impairment.udpOnlyHere) {
      const rules = [
        'table inet ferry_impaired {',
        '  chain output { type filter hook output priority filter; policy accept; oifname "eth0" meta l4proto udp drop; }',
        '  chain input { type filter hook input priority filter; policy accept; iifname "eth0" meta l4proto udp drop; }',
        '}',
        '',
      ].join('\n');
      for (const ns of [hostA.netns, hostB.netns]) execFileSync('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], { input: rules, stdio: ['pipe', 'pipe', 'pipe'] });
    }
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
    this.run = run;
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

  /**
   * A NAT router: `host` (already on the bridge, eth0 its public leg) gets a private bridge lan0
   * with 192.168.<n>.1/24; each inside host a namespace with a veth on that bridge, an address
   * from 192.168.<n>.10 and its default route via the router. The router forwards and
   * masquerades what leaves eth0 (nftables, in its own namespace only).
   */
  private buildNat(host: string, options: NatOptions, n: number): void {
    const router = this.host(host);
    const routerNs = router.netns as string;
    if (options.inside.length === 0) throw new Error(`lab NAT "${host}" has no inside hosts`);
    const gateway = `192.168.${n}.1`;
    ip(['-n', routerNs, 'link', 'add', 'lan0', 'type', 'bridge']);
    ip(['-n', routerNs, 'addr', 'add', `${gateway}/24`, 'dev', 'lan0']);
    ip(['-n', routerNs, 'link', 'set', 'lan0', 'up']);
    ip(['netns', 'exec', routerNs, 'sysctl', '-q', '-w', 'net.ipv4.ip_forward=1']);
    options.inside.forEach((name, index) => {
      if (!/^[a-z][a-z0-9]{0,11}$/.test(name)) throw new Error(`bad lab host name "${name}"`);
      if (this.hostsByName.has(name)) throw new Error(`lab host "${name}" exists already`);
      const ns = namespaceName(process.pid, this.run, name);
      const address = `192.168.${n}.${index + 10}`;
      const port = `in${index}`;
      this.createNamespace(ns);
      ip(['-n', routerNs, 'link', 'add', port, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
      ip(['-n', routerNs, 'link', 'set', port, 'master', 'lan0']);
      ip(['-n', routerNs, 'link', 'set', port, 'up']);
      ip(['-n', ns, 'addr', 'add', `${address}/24`, 'dev', 'eth0']);
      ip(['-n', ns, 'link', 'set', 'eth0', 'up']);
      ip(['-n', ns, 'route', 'add', 'default', 'via', gateway, 'dev', 'eth0']);
      this.addHost(name, address, ns);
    });
    this.applyNatRules(routerNs, options.mode);
    this.nats.set(host, { host, publicAddress: router.address, gateway, inside: [...options.inside], mode: options.mode });
  }

  /**
   * The router's ruleset, replaced whole. The input chain matters for hole punching: a peer's
   * check that arrives before the inside host's own packet went out must be dropped, not left to
   * the router's stack (that would confirm a conntrack entry for the pair of addresses, and the
   * masquerade of the inside host's packet would then have to pick another port).
   */
  private applyNatRules(ns: string, mode: NatMode): void {
    const ruleset = [
      'table ip ferry_nat',
      'delete table ip ferry_nat',
      'table ip ferry_nat {',
      '  chain postrouting {',
      '    type nat hook postrouting priority srcnat; policy accept;',
      `    oifname "eth0" masquerade${mode === 'symmetric' ? ' fully-random' : ''}`,
      '  }',
      '  chain input {',
      '    type filter hook input priority filter; policy accept;',
      '    iifname "eth0" ct state established,related accept',
      '    iifname "eth0" counter drop',
      '  }',
      '  chain forward {',
      '    type filter hook forward priority filter; policy drop;',
      '    ct state established,related accept',
      '    iifname "lan0" oifname "eth0" accept',
      '    counter drop',
      '  }',
      '}',
      '',
    ].join('\n');
    const file = join(this.tempDir, `${ns}.nft`);
    writeFileSync(file, ruleset);
    try {
      execFileSync('ip', ['netns', 'exec', ns, 'nft', '-f', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (error) {
      const stderr = String((error as { stderr?: Buffer }).stderr ?? '').trim();
      throw new Error(`nft in ${ns} failed (is nftables installed? apt-get install -y nftables): ${stderr || (error as Error).message}`, { cause: error });
    }
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
