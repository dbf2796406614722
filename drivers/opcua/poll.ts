/** Batched Reads of the Value attribute: `mode: poll`, and tags a subscription has no value for. */
import { AttributeIds, type ClientSession, type DataValue, type NodeId } from 'node-opcua';
import type { TagConfig } from '../../core/config/schema.js';
import { badValue, type TagValue } from '../../core/values.js';
import { NODE_ID_UNKNOWN } from './errors.js';
import { requestErrorCode } from './status.js';
import { toTagValue } from './tag-value.js';
import { withTimeout } from './timeout.js';

/** A tag with its address resolved on the connected server. */
export interface ResolvedTag {
  tag: TagConfig;
  /** Undefined when the address cannot exist on this server (unknown `nsu=` namespace). */
  nodeId?: NodeId;
  /** The error such a tag reports instead of a value. */
  error?: string;
}

/** A node's DataValue, or the error code when there is none (request failed, unknown namespace). */
export type ReadResult = DataValue | string;

/**
 * Reads every tag's Value, in batches of at most `batchSize` nodes, one request after the
 * other (servers refuse or stall on many parallel requests). One result per tag, in order;
 * a failed request gives its tags the request's error code. Never rejects.
 */
export async function readDataValues(
  session: ClientSession,
  tags: readonly ResolvedTag[],
  batchSize: number,
  timeoutMs: number,
): Promise<ReadResult[]> {
  const out: ReadResult[] = new Array(tags.length);
  const readable: number[] = [];
  tags.forEach((t, i) => {
    if (t.nodeId) readable.push(i);
    else out[i] = t.error ?? NODE_ID_UNKNOWN;
  });
  for (let start = 0; start < readable.length; start += batchSize) {
    const batch = readable.slice(start, start + batchSize);
    const nodes = batch.map((i) => ({ nodeId: tags[i]?.nodeId as NodeId, attributeId: AttributeIds.Value }));
    try {
      // maxAge 0: the current value from the device, not a cached one.
      const results = await withTimeout(session.read(nodes, 0), timeoutMs, 'reading');
      batch.forEach((i, k) => {
        out[i] = results[k] ?? 'bad-response';
      });
    } catch (err) {
      const code = requestErrorCode(err);
      for (const i of batch) out[i] = code;
    }
  }
  return out;
}

export function resultToTagValue(result: ReadResult, tag: TagConfig, now = Date.now()): TagValue {
  return typeof result === 'string' ? badValue(result, now) : toTagValue(result, tag, now);
}

/** `mode: poll`: one TagValue per tag, in order. Never rejects. */
export async function readTags(
  session: ClientSession,
  tags: readonly ResolvedTag[],
  batchSize: number,
  timeoutMs: number,
): Promise<TagValue[]> {
  const results = await readDataValues(session, tags, batchSize, timeoutMs);
  const now = Date.now();
  return results.map((r, i) => resultToTagValue(r, (tags[i] as ResolvedTag).tag, now));
}
