import { isAbsolute, normalize } from 'node:path';
import { FerryError } from '../../src-core/index.js';

/** Paths remembered at once; older grants give way (a person picks far fewer). */
const MAX_GRANTS = 10_000;

/**
 * The files and folders a person picked or dropped, as main told the engine (main heard it from
 * the preload, which read each path off a File the OS gave the window). The engine sends nothing
 * else: a view that names any other path is refused.
 */
export class GrantedPaths {
  private readonly granted = new Set<string>();

  grant(paths: readonly string[]): void {
    for (const path of paths) {
      if (!isAbsolute(path)) continue;
      const key = normalize(path);
      this.granted.delete(key);
      this.granted.add(key);
      if (this.granted.size > MAX_GRANTS) this.granted.delete(this.granted.values().next().value as string);
    }
  }

  /** Throws a FerryError in words unless every path was granted. */
  check(paths: readonly string[]): void {
    for (const path of paths) {
      if (!isAbsolute(path) || !this.granted.has(normalize(path))) {
        throw new FerryError('SOURCE_FAILED', 'Ferry sends only files and folders you picked or dropped; this one was neither.');
      }
    }
  }
}
