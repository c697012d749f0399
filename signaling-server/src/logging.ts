import { pino, type Logger } from 'pino';

/**
 * Paths pino censors, as a net under the rule "secrets are never put in a log object": tokens,
 * secrets, TURN credentials, Authorization headers, query strings (PeerJS puts its token there).
 */
export const REDACT_PATHS = [
  'token', '*.token', 'secret', '*.secret', 'credential', '*.credential', 'password', '*.password',
  'turnSecret', '*.turnSecret', 'tokenSecret', '*.tokenSecret', 'authorization', '*.authorization',
  '*.headers.authorization', '*.headers.cookie', 'query', '*.query',
];

/** The server's logger: the caller's, with redaction added. */
export function serverLogger(logger: Logger | undefined): Logger {
  return (logger ?? pino({ level: 'silent' })).child({}, { redact: { paths: REDACT_PATHS, censor: '[redacted]' } });
}
