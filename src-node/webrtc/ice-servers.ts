/** An RTCIceServer as PeerJS hands it to `new RTCPeerConnection(config)`. */
export interface IceServerInit {
  urls: string | readonly string[];
  username?: string;
  credential?: string;
}

/**
 * The ICE servers in the form node-datachannel's polyfill must get them.
 *
 * The polyfill pastes `username` and `credential` into the URL as they are
 * (`turn:<username>:<credential>@host:port`), and libdatachannel splits that URL at the first
 * colon of the user part, then percent-decodes both halves. A TURN REST credential has a colon in
 * its username (`<expiry>:<peer id>`) and `+`, `/`, `=` in its credential (base64): pasted raw,
 * libdatachannel authenticates as `<expiry>` with `<peer id>:<credential>` and coturn refuses
 * every allocation. Percent-encoded, they reach libjuice exactly as given.
 *
 * Always a copy: the polyfill rewrites the configuration it is given (string `urls` become
 * arrays), and PeerJS hands every connection the same object, the engine's.
 */
export function iceServersForPolyfill(servers: readonly IceServerInit[] | undefined): IceServerInit[] {
  return (servers ?? []).map((server) => {
    const urls = typeof server.urls === 'string' ? [server.urls] : [...server.urls];
    if (!server.username || !server.credential) return { ...server, urls };
    return { ...server, urls, username: encodeURIComponent(server.username), credential: encodeURIComponent(server.credential) };
  });
}
