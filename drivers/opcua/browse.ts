/** Browsing the address space for the UI's tag picker: one level of children at a time. */
import {
  AttributeIds,
  BrowseDirection,
  type BrowseResult,
  type ClientSession,
  NodeClass,
  type NodeId,
  type ReferenceDescription,
  ReferenceTypeIds,
} from 'node-opcua';
import { GatewayError } from '../../core/errors.js';
import type { BrowseEntry } from '../../core/plugin.js';
import type { NodeTypes } from './node-types.js';
import { statusError, statusName } from './status.js';
import { withTimeout } from './timeout.js';

/** AccessLevel bits (OPC 10000-3 §8.57). */
const CURRENT_READ = 0x01;
const CURRENT_WRITE = 0x02;
/** Every field of a ReferenceDescription. */
const ALL_FIELDS = 0x3f;

export interface BrowseOptions {
  session: ClientSession;
  types: NodeTypes;
  timeoutMs: number;
  batchSize: number;
}

export function accessOf(userAccessLevel: number): BrowseEntry['access'] {
  const read = (userAccessLevel & CURRENT_READ) !== 0;
  const write = (userAccessLevel & CURRENT_WRITE) !== 0;
  if (read && write) return 'readwrite';
  if (write) return 'write';
  return read ? 'read' : undefined;
}

function description(nodeId: NodeId) {
  return {
    nodeId,
    browseDirection: BrowseDirection.Forward,
    referenceTypeId: ReferenceTypeIds.HierarchicalReferences,
    includeSubtypes: true,
    nodeClassMask: 0,
    resultMask: ALL_FIELDS,
  };
}

/** Every reference of one browse, following continuation points. */
async function allReferences(o: BrowseOptions, nodeId: NodeId): Promise<ReferenceDescription[]> {
  let result: BrowseResult = await withTimeout(o.session.browse(description(nodeId)), o.timeoutMs, 'browsing');
  if (!result.statusCode.isGood()) {
    throw new GatewayError(
      statusError(result.statusCode),
      `cannot browse ${nodeId.toString()}: ${statusName(result.statusCode)}`,
    );
  }
  const refs = [...(result.references ?? [])];
  while (result.continuationPoint && result.continuationPoint.length > 0) {
    result = await withTimeout(o.session.browseNext(result.continuationPoint, false), o.timeoutMs, 'browsing');
    refs.push(...(result.references ?? []));
  }
  return refs;
}

/** Whether each node has children, in batches; continuation points are released, not followed. */
async function hasChildren(o: BrowseOptions, nodeIds: NodeId[]): Promise<boolean[]> {
  const out: boolean[] = [];
  for (let start = 0; start < nodeIds.length; start += o.batchSize) {
    const batch = nodeIds.slice(start, start + o.batchSize);
    const results = await withTimeout(o.session.browse(batch.map(description)), o.timeoutMs, 'browsing');
    const points = results.map((r) => r.continuationPoint).filter((c): c is Buffer => !!c && c.length > 0);
    if (points.length > 0) await o.session.browseNext(points, true).catch(() => undefined);
    for (const r of results) out.push((r.references?.length ?? 0) > 0);
  }
  return out;
}

/** DataType name and access of the variables among the children, in batched reads. */
async function variableDetails(o: BrowseOptions, nodeIds: NodeId[]): Promise<Array<Partial<BrowseEntry>>> {
  const out: Array<Partial<BrowseEntry>> = [];
  const perBatch = Math.max(1, Math.floor(o.batchSize / 2));
  for (let start = 0; start < nodeIds.length; start += perBatch) {
    const batch = nodeIds.slice(start, start + perBatch);
    const reads = batch.flatMap((nodeId) => [
      { nodeId, attributeId: AttributeIds.DataType },
      { nodeId, attributeId: AttributeIds.UserAccessLevel },
    ]);
    const values = await withTimeout(o.session.read(reads), o.timeoutMs, 'reading attributes');
    for (let k = 0; k < batch.length; k++) {
      const type = values[2 * k];
      const access = values[2 * k + 1];
      const entry: Partial<BrowseEntry> = {};
      if (type?.statusCode.isGood()) {
        entry.dataType = await o.types.typeName(type.value.value as NodeId).catch(() => undefined);
      }
      if (access?.statusCode.isGood()) entry.access = accessOf(Number(access.value.value));
      out.push(entry);
    }
  }
  return out;
}

/** The children of a node, via hierarchical references, with what a tag picker shows. */
export async function browseChildren(o: BrowseOptions, nodeId: NodeId): Promise<BrowseEntry[]> {
  const refs = await allReferences(o, nodeId);
  // Only children on this server: a remote (serverIndex ≠ 0) node cannot become a tag here.
  const local = refs.filter((r) => r.nodeId.serverIndex === 0);
  const ids = local.map((r) => r.nodeId as NodeId);
  const children = await hasChildren(o, ids);
  const variables = local.flatMap((r, i) => (r.nodeClass === NodeClass.Variable ? [i] : []));
  const details = await variableDetails(
    o,
    variables.map((i) => ids[i] as NodeId),
  );
  const detailOf = new Map(variables.map((i, k) => [i, details[k]]));
  return local.map((r, i) => {
    const entry: BrowseEntry = {
      nodeId: r.nodeId.toString(),
      browseName: `${r.browseName.namespaceIndex}:${r.browseName.name ?? ''}`,
      displayName: r.displayName.text ?? r.browseName.name ?? '',
      nodeClass: NodeClass[r.nodeClass] ?? String(r.nodeClass),
      hasChildren: children[i] ?? false,
    };
    const d = detailOf.get(i);
    if (d?.dataType !== undefined) entry.dataType = d.dataType;
    if (d?.access !== undefined) entry.access = d.access;
    return entry;
  });
}
