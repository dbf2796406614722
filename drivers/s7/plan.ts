/**
 * Read planner: joins a group's tags into as few Read Var requests as the negotiated PDU
 * allows. Tags of one area/DB whose bytes lie close together become one chunk (the gap read
 * through is cheaper than another item); chunks are packed into requests by item count and
 * answer size, and a chunk that does not fit is cut between tags — never through a tag,
 * so that no value is put together from two reads, unless the tag alone is larger than an
 * answer can carry.
 */
import {
  ACK_HEADER,
  type AreaLetter,
  ITEM_DATA_HEADER,
  ITEM_SPEC_BYTES,
  type ItemSpec,
  JOB_HEADER,
} from './protocol.js';

export interface PlanTag {
  /** The tag's position in its group. */
  index: number;
  area: AreaLetter;
  db: number;
  start: number;
  bytes: number;
}

/** Neighbouring tags read as one range; the answer's bytes are assembled here. */
export interface Chunk {
  area: AreaLetter;
  db: number;
  start: number;
  bytes: number;
  tags: PlanTag[];
}

/** Part of a chunk read as one item of one request. */
export interface Piece {
  chunk: number;
  /** Offset within the chunk. */
  offset: number;
  bytes: number;
}

export interface ReadPlan {
  chunks: Chunk[];
  /** The pieces each Read Var request carries. */
  requests: Piece[][];
}

export interface PlanLimits {
  pduSize: number;
  /** Unused bytes that may be read through to join two tags into one item. */
  maxGap: number;
  /** Items per request at most (S7 CPUs take 20). */
  maxItems: number;
}

/** An extra item costs its specification in the request and its header in the answer. */
export const DEFAULT_MAX_GAP = ITEM_SPEC_BYTES + ITEM_DATA_HEADER;
export const DEFAULT_MAX_ITEMS = 20;
const AREA_ORDER: readonly AreaLetter[] = ['I', 'Q', 'M', 'DB'];

/** Items one request can carry: its header, the function and count bytes, 12 bytes per item. */
export function maxItemsFor(limits: PlanLimits): number {
  return Math.max(1, Math.min(limits.maxItems, Math.floor((limits.pduSize - JOB_HEADER - 2) / ITEM_SPEC_BYTES)));
}

/** Answer bytes available before any item: the PDU less the ack header and function/count. */
function answerRoom(pduSize: number): number {
  return pduSize - ACK_HEADER - 2;
}

/** Answer bytes one item of `bytes` takes (header, data, a fill byte after odd lengths). */
function itemCost(bytes: number): number {
  return ITEM_DATA_HEADER + bytes + (bytes % 2);
}

export function planS7Reads(tags: PlanTag[], limits: PlanLimits): ReadPlan {
  const chunks = joinChunks(tags, limits.maxGap);
  return { chunks, requests: packRequests(chunks, limits) };
}

function joinChunks(tags: PlanTag[], maxGap: number): Chunk[] {
  const sorted = [...tags].sort(
    (a, b) =>
      AREA_ORDER.indexOf(a.area) - AREA_ORDER.indexOf(b.area) ||
      a.db - b.db ||
      a.start - b.start ||
      b.bytes - a.bytes ||
      a.index - b.index,
  );
  const chunks: Chunk[] = [];
  let current: Chunk | undefined;
  for (const tag of sorted) {
    const end = current ? current.start + current.bytes : 0;
    if (current && current.area === tag.area && current.db === tag.db && tag.start - end <= maxGap) {
      current.bytes = Math.max(end, tag.start + tag.bytes) - current.start;
      current.tags.push(tag);
      continue;
    }
    current = { area: tag.area, db: tag.db, start: tag.start, bytes: tag.bytes, tags: [tag] };
    chunks.push(current);
  }
  return chunks;
}

/**
 * Offsets (within the chunk) where a cut splits no tag, each with where the next piece starts
 * (the next tag's start, skipping a gap); the chunk's end is the last.
 */
function cutPoints(chunk: Chunk): Array<{ at: number; next: number }> {
  const cuts: Array<{ at: number; next: number }> = [];
  let reach = 0;
  for (const tag of chunk.tags) {
    const start = tag.start - chunk.start;
    if (start >= reach && reach > 0) cuts.push({ at: reach, next: start });
    reach = Math.max(reach, start + tag.bytes);
  }
  cuts.push({ at: chunk.bytes, next: chunk.bytes });
  return cuts;
}

function packRequests(chunks: Chunk[], limits: PlanLimits): Piece[][] {
  const maxItems = maxItemsFor(limits);
  const room = answerRoom(limits.pduSize);
  const requests: Piece[][] = [];
  let current: Piece[] = [];
  let used = 0;
  const newRequest = () => {
    if (current.length > 0) requests.push(current);
    current = [];
    used = 0;
  };
  chunks.forEach((chunk, index) => {
    const cuts = cutPoints(chunk);
    let pos = 0;
    while (pos < chunk.bytes) {
      if (current.length >= maxItems) newRequest();
      // The furthest cut this request can still take.
      let best: { at: number; next: number } | undefined;
      for (const cut of cuts) {
        if (cut.at <= pos) continue;
        if (itemCost(cut.at - pos) > room - used) break;
        best = cut;
      }
      if (!best) {
        if (current.length > 0) {
          newRequest();
          continue;
        }
        // A tag larger than a whole answer: it has to be read in parts.
        const capacity = room - ITEM_DATA_HEADER;
        const bytes = Math.min(chunk.bytes - pos, capacity - (capacity % 2));
        current.push({ chunk: index, offset: pos, bytes });
        used += itemCost(bytes);
        pos += bytes;
        continue;
      }
      const bytes = best.at - pos;
      current.push({ chunk: index, offset: pos, bytes });
      used += itemCost(bytes);
      pos = best.next;
    }
  });
  newRequest();
  return requests;
}

/** The item specification that reads a piece. */
export function pieceSpec(plan: ReadPlan, piece: Piece): ItemSpec {
  const chunk = plan.chunks[piece.chunk] as Chunk;
  return { area: chunk.area, db: chunk.db, start: chunk.start + piece.offset, bytes: piece.bytes };
}
