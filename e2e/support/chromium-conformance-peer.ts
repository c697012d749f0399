import { stat } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import type { DeliveryMode, TransferMessage } from '../../src-core/index.js';
import type { ConformancePeer, TransferOutcome } from '../../src-main/transfer/conformance/peer.js';
import type { FerryPage } from '../lab/ferry-page.js';

type Conformance = {
  stage(input: 'files' | 'folder'): number;
  send(options: { mode: DeliveryMode; chunkSize?: number }): number;
  outcome(id: number | 'incoming'): Promise<TransferOutcome>;
  bytesSent(id: number): number;
  cancel(id: number | 'incoming'): void;
  setPolicy(policy: 'accept' | 'decline'): void;
  incomingCount(): Promise<number>;
  injectControl(message: TransferMessage): void;
  injectDataOnAccept(mode: DeliveryMode, frames: string[]): void;
  controlSeen(): TransferMessage[];
  framesPerConnection(): number[];
  closeControl(): void;
  close(): void;
};

/** The conformance peer running in a Chromium page (src-renderer/testing/conformance.ts). */
export class ChromiumConformancePeer implements ConformancePeer {
  constructor(
    readonly name: string,
    readonly downloadDir: string,
    private readonly ferry: FerryPage,
  ) {}

  private get page(): Page {
    return this.ferry.page;
  }

  /** Calls window.conformance[method] in the page (by name: the page's CSP forbids eval). */
  private call<T>(method: keyof Conformance, ...args: unknown[]): Promise<T> {
    return this.page.evaluate(
      ([name, values]) => {
        const c = (window as unknown as { conformance: Record<string, (...a: unknown[]) => unknown> }).conformance;
        return c[name]?.(...values);
      },
      [method, args] as [string, unknown[]],
    ) as Promise<T>;
  }

  /** Data frames this page received on each connection: [the link's own, ...stripes]. */
  framesPerConnection(): Promise<number[]> {
    return this.call('framesPerConnection');
  }

  /** Files go in through the page's inputs, as a person's picks would: folders one at a time. */
  async send(paths: string[], options: { mode: DeliveryMode; chunkSize?: number }): Promise<number> {
    const files: string[] = [];
    for (const path of paths) {
      if ((await stat(path)).isDirectory()) {
        await this.page.locator('#folder').setInputFiles(path);
        await this.call('stage', 'folder');
      } else {
        files.push(path);
      }
    }
    if (files.length > 0) {
      await this.page.locator('#files').setInputFiles(files);
      await this.call('stage', 'files');
    }
    return this.call('send', options);
  }

  outcome(id: number | 'incoming'): Promise<TransferOutcome> {
    return this.call('outcome', id);
  }
  bytesSent(id: number): Promise<number> {
    return this.call('bytesSent', id);
  }
  async cancel(id: number | 'incoming'): Promise<void> {
    await this.call('cancel', id);
  }
  async setPolicy(policy: 'accept' | 'decline'): Promise<void> {
    await this.call('setPolicy', policy);
  }
  incomingCount(): Promise<number> {
    return this.call('incomingCount');
  }
  async injectControl(message: TransferMessage): Promise<void> {
    await this.call('injectControl', message);
  }
  async injectDataOnAccept(mode: DeliveryMode, frames: Uint8Array[]): Promise<void> {
    const encoded = frames.map((f) => Buffer.from(f).toString('base64'));
    await this.call('injectDataOnAccept', mode, encoded);
  }
  controlSeen(): Promise<TransferMessage[]> {
    return this.call('controlSeen');
  }
  async closeControl(): Promise<void> {
    await this.call('closeControl');
  }
  async close(): Promise<void> {
    await this.call('close').catch(() => {});
    await this.ferry.context.close().catch(() => {});
    await this.ferry.main.stop();
  }
}
