import { FerryError } from '../errors.js';

/** The words for a transfer cut off by its connection, with the connection's own reason when there is one. */
export function closedBeforeFinished(why?: FerryError): FerryError {
  return new FerryError('CHANNEL_CLOSED', `The connection closed before the transfer finished${why ? `: ${why.message}` : '.'}`, { cause: why });
}
