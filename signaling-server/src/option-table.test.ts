import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULTS } from './defaults.js';
import { helpText, OPTION_TABLE, optionsMarkdownTable } from './option-table.js';

const docs = readFileSync(new URL('../../docs/self-hosting.md', import.meta.url), 'utf8');
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** The fenced code block that starts with a line matching `first`. */
function block(lang: string, first: RegExp): string {
  for (const match of docs.matchAll(new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``, 'g'))) {
    if (first.test(match[1] as string)) return match[1] as string;
  }
  throw new Error(`no ${lang} block matching ${first} in docs/self-hosting.md`);
}

describe('docs/self-hosting.md', () => {
  it('holds the options table generated from OPTION_TABLE', () => {
    const start = docs.indexOf('-->', docs.indexOf('<!-- options:start')) + 3;
    const end = docs.indexOf('<!-- options:end -->');
    // On failure, paste optionsMarkdownTable()'s output (the "expected" side) between the markers.
    expect(docs.slice(start, end).trim()).toBe(optionsMarkdownTable());
  });

  it('is linked from the README', () => {
    expect(readme).toContain('(docs/self-hosting.md)');
  });

  it('gives a hardened systemd unit', () => {
    const unit = block('ini', /^\[Unit\]/);
    for (const line of ['DynamicUser=yes', 'NoNewPrivileges=yes', 'ProtectSystem=strict', 'ProtectHome=yes', 'PrivateTmp=yes', 'CapabilityBoundingSet=', 'RestartPreventExitStatus=2']) {
      expect(unit).toContain(`\n${line}\n`);
    }
    expect(unit).not.toMatch(/^MemoryDenyWriteExecute=yes/m); // would kill node's JIT
  });

  it('gives an nginx block that upgrades WebSockets and outlasts the heartbeat', () => {
    const nginx = block('nginx', /map \$http_upgrade/);
    expect(nginx).toContain('proxy_set_header Upgrade $http_upgrade;');
    expect(nginx).toContain('proxy_set_header Connection $connection_upgrade;');
    expect(nginx).toContain('proxy_http_version 1.1;');
    expect(nginx).toMatch(/proxy_set_header X-Forwarded-For \$remote_addr;/);
    const readTimeout = Number(/proxy_read_timeout (\d+)s;/.exec(nginx)?.[1]);
    expect(readTimeout * 1000).toBeGreaterThan(DEFAULTS.aliveTimeoutMs);
    expect(nginx).not.toMatch(/log_format[^;]*\$request[ "]/); // the query holds the token
  });

  it('gives a cluster nginx block: several nodes, one node per client address (not ip_hash), failover, WebSocket upgrade', () => {
    const nginx = block('nginx', /upstream ferry_signal_cluster/);
    expect(nginx).toContain('hash $remote_addr consistent;');
    expect(nginx).not.toMatch(/^\s*ip_hash;/m);
    expect(nginx.match(/^\s*server \S+:\d+/gm)?.length).toBeGreaterThanOrEqual(2);
    expect(nginx).toContain('proxy_next_upstream error timeout;');
    expect(nginx).toContain('proxy_set_header Upgrade $http_upgrade;');
    expect(nginx).toContain('proxy_set_header Connection $connection_upgrade;');
    expect(Number(/proxy_read_timeout (\d+)s;/.exec(nginx)?.[1]) * 1000).toBeGreaterThan(DEFAULTS.aliveTimeoutMs);
  });

  it('gives a coturn configuration with time-limited credentials and no relaying into private networks', () => {
    const coturn = block('ini', /^listening-port=/);
    for (const line of ['use-auth-secret', 'static-auth-secret=', 'realm=']) expect(coturn).toMatch(new RegExp(`^${line}`, 'm'));
    const denied = [...coturn.matchAll(/^denied-peer-ip=(\S+)$/gm)].map((m) => m[1]);
    for (const range of [
      '0.0.0.0-0.255.255.255', '10.0.0.0-10.255.255.255', '100.64.0.0-100.127.255.255', '127.0.0.0-127.255.255.255',
      '169.254.0.0-169.254.255.255', '172.16.0.0-172.31.255.255', '192.168.0.0-192.168.255.255',
      '::-::1', '::ffff:0.0.0.0-::ffff:255.255.255.255', 'fc00::-fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
      'fe80::-febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
    ]) {
      expect(denied).toContain(range);
    }
  });
});

describe('--help', () => {
  it('explains every option with its environment variable and default', () => {
    const help = helpText();
    for (const option of OPTION_TABLE) {
      expect(help).toContain(`--${option.flag} ${option.value}`);
      expect(help).toContain(`Env ${option.env}.`);
      expect(help).toContain(option.help);
    }
  });
});
