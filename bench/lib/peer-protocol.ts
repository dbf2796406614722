/** Messages between the harness and a peer process. Reply id 0 is the peer's "ready". */
export type PeerMessage =
  | { kind: 'call'; id: number; cmd: string; arg?: unknown }
  | { kind: 'reply'; id: number; result?: unknown; error?: string };
