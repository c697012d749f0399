/*
 * The few globals every host of the engine has — browsers and Node alike (WHATWG URL, HTML's
 * queueMicrotask) — declared narrowly, since the engine's lib is plain ES2022 (no DOM, no Node).
 * Anything else of the platform reaches the engine as a port.
 */
declare function queueMicrotask(callback: () => void): void;

declare class URL {
  constructor(url: string, base?: string | URL);
  readonly href: string;
  readonly protocol: string;
  readonly hostname: string;
  readonly port: string;
  readonly pathname: string;
}
