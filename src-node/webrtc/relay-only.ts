/*
 * iceTransportPolicy 'relay' as a browser keeps it: never connect directly.
 *
 * libdatachannel honours the policy only for the candidates it announces: its ICE agent
 * (libjuice) still sends connectivity checks from the host address to every candidate the peer
 * announces. A relay-only device dialing one that is not ends up on a direct host-to-host path,
 * and the peer learns its address. Shown to it only the peer's relay candidates, it has nowhere
 * to send a check but a TURN relay, and a TURN server forwards only what comes from an address
 * its client gave permission to, which the device's own host address is not: the path goes
 * through TURN on both sides. The cost: a relay-only device reaches only peers that have a relay
 * candidate themselves (every Ferry device gets TURN from the same /ice).
 */

/** The `typ` of an ICE candidate line (`candidate:… typ relay raddr …`), lower case. */
export function candidateType(candidate: string): string | undefined {
  return / typ ([a-z]+)/i.exec(candidate)?.[1]?.toLowerCase();
}

export function isRelayCandidate(candidate: string): boolean {
  return candidateType(candidate) === 'relay';
}

/** The SDP without the `a=candidate` lines that are not relay candidates. */
export function withRelayCandidatesOnly(sdp: string): string {
  return sdp
    .split(/(?<=\r?\n)/)
    .filter((line) => !line.startsWith('a=candidate:') || isRelayCandidate(line))
    .join('');
}
