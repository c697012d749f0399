/** Bad configuration: the CLI prints the message (which names the option) and exits with code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    readonly code: 'BAD_USAGE' | 'UNKNOWN_OPTION' | 'BAD_VALUE' | 'CONFLICT' | 'MISSING' | 'UNREADABLE_FILE' | 'BAD_JSON',
    message: string,
    /** The option at fault, without "--". */
    readonly option?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
