import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import type { LabHost } from './lab.js';

export const CHROMIUM_PATH = process.env.FERRY_CHROMIUM ?? '/usr/bin/chromium';

/*
 * Flags for a quiet, offline Chromium in the lab: no background traffic to Google's hosts, plain
 * IP host candidates instead of mDNS names, and no local-network permission prompt for the lab's
 * private addresses.
 */
const CHROMIUM_FLAGS = [
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-features=WebRtcHideLocalIpsWithMdns,LocalNetworkAccessChecks,PrivateNetworkAccessSendPreflights,PrivateNetworkAccessRespectPreflightResults,BlockInsecurePrivateNetworkRequests,Translate,MediaRouter',
];

export function assertChromiumPresent(): void {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}. Install it (apt-get install -y chromium) or set FERRY_CHROMIUM.`,
    );
  }
}

/** Launches headless Chromium inside a lab host. Closing the browser ends its process. */
export async function launchChromium(host: LabHost, options: { extraArgs?: string[] } = {}): Promise<Browser> {
  assertChromiumPresent();
  const extra = options.extraArgs ?? [];
  return chromium.launch({
    executablePath: host.wrapExecutable(CHROMIUM_PATH),
    headless: true,
    // On the host network (not root) peers meet on 127.0.0.1, which WebRTC skips by default.
    args: [...(host.netns ? CHROMIUM_FLAGS : [...CHROMIUM_FLAGS, '--allow-loopback-in-peer-connection']), ...extra],
    timeout: 30_000,
  });
}

/**
 * Chromium on a lab host with a profile on disk (`userDataDir`): what a page stores — its
 * origin's private folder, say — is written there, not kept in memory as in a fresh context.
 */
export async function launchPersistentChromium(host: LabHost, userDataDir: string, options: { extraArgs?: string[] } = {}): Promise<BrowserContext> {
  assertChromiumPresent();
  const extra = options.extraArgs ?? [];
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: host.wrapExecutable(CHROMIUM_PATH),
    headless: true,
    args: [...(host.netns ? CHROMIUM_FLAGS : [...CHROMIUM_FLAGS, '--allow-loopback-in-peer-connection']), ...extra],
    timeout: 30_000,
    acceptDownloads: true,
  });
}
