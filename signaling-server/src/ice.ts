import { z } from 'zod';

/** One entry of RTCConfiguration.iceServers, as clients should use it. */
export const IceServer = z.strictObject({
  urls: z.union([z.string(), z.array(z.string()).min(1)]),
  username: z.string().optional(),
  credential: z.string().optional(),
});
export type IceServer = z.infer<typeof IceServer>;

const STUN_OR_TURN = /^(stun|stuns|turn|turns):[^\s]+$/;

/** Builds the ICE server list from STUN URLs given on the command line or in the environment. */
export function iceServersFromStunUrls(urls: readonly string[]): IceServer[] {
  return urls.map((url) => {
    if (!STUN_OR_TURN.test(url)) {
      throw new Error(`"${url}" is not a STUN or TURN URL (expected e.g. stun:stun.example.org:3478).`);
    }
    return { urls: url };
  });
}
