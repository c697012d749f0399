/** Exit codes (`ferry --help` says them): done, failed, wrong usage; Ctrl-C exits as shells expect. */
export const EXIT = { done: 0, failed: 1, usage: 2, interrupted: 130 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A command line Ferry cannot run: said with the command's help, exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A run that failed in words (exit 1): what went wrong, not a stack. */
export class CliFailure extends Error {
  override readonly name = 'CliFailure';
  constructor(
    message: string,
    readonly code = 'FAILED',
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Options every command takes. */
export const COMMON_HELP = `Options for every command:
  --signal URL        the signaling server (default: FERRY_SIGNALING_URL, the settings, else
                      the built-in LAN server, found by mDNS or started here)
  --token TOKEN       the server's access token (default: FERRY_SIGNALING_TOKEN)
  --config-dir DIR    where this device's identity and settings live
                      (default: FERRY_CONFIG_DIR, else the OS config folder)
  --json              one JSON object per line on stdout, for scripts
  --quiet             no progress, only results and errors
  -h, --help          this help

Exit codes: 0 done, 1 failed, 2 wrong usage, 130 cancelled with Ctrl-C.`;
