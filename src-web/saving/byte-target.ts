/** Where a received stream of bytes goes: a browser download, a file the person chose. */
export interface ByteTarget {
  /** Settles once the target has room for more. */
  write(bytes: Uint8Array): Promise<void>;
  /** The bytes are complete and verified: the file appears under its name. */
  close(): Promise<void>;
  /** Nothing appears: what was written goes. */
  abort(reason: string): Promise<void>;
}
