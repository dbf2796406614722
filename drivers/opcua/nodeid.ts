/**
 * NodeId addresses (`ns=2;s=Line1.Temp`, `ns=3;i=1001`, `i=85`, `ns=1;g=…`, `ns=1;b=…`,
 * `nsu=urn:…;s=…`). Only node-opcua's small NodeId module is used here, so that checking a
 * configuration does not load the whole OPC UA stack — and that module is itself loaded at the
 * first OPC UA address (it costs about 25 MB of RSS, mostly its table of standard node ids), so
 * a gateway without OPC UA tags never loads it.
 */
import type { NodeId } from 'node-opcua-nodeid';
import { lazyModule } from '../../core/lazy-module.js';

const nodeIdModule = lazyModule<typeof import('node-opcua-nodeid')>('node-opcua-nodeid');
function coerceNodeId(value: string): NodeId {
  return nodeIdModule().coerceNodeId(value);
}

export interface NodeIdAddress {
  /** Set for `nsu=` addresses: resolved to a namespace index once connected. */
  namespaceUri?: string;
  namespace: number;
  /** The identifier part, e.g. `s=Line1.Temp`. */
  identifier: string;
}

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function nodeIdHint(address: string): string {
  return `"${address}" is not a NodeId (e.g. ns=2;s=Line1.Temp or ns=3;i=1001)`;
}

/** Checks the identifier part strictly: node-opcua alone reads `i=abc` as `i=0`. */
function checkIdentifier(identifier: string): boolean {
  const m = /^([isgb])=(.+)$/s.exec(identifier);
  if (!m) return false;
  const [, kind, value] = m as unknown as [string, string, string];
  switch (kind) {
    case 'i':
      return /^\d{1,10}$/.test(value) && Number(value) <= 0xffffffff;
    case 'g':
      return GUID.test(value);
    case 'b':
      return BASE64.test(value);
    default:
      return true;
  }
}

/** Parses an address; throws an Error whose message is `nodeIdHint(address)`. */
export function parseNodeId(address: string): NodeIdAddress {
  let namespaceUri: string | undefined;
  let namespace = 0;
  let identifier = address;
  if (address.startsWith('nsu=')) {
    // A namespace URI may itself hold ';', so it ends at the first ';' that starts an identifier.
    const m = /^nsu=(.+?);([isgb]=.*)$/s.exec(address);
    if (!m) throw new Error(nodeIdHint(address));
    namespaceUri = m[1] as string;
    identifier = m[2] as string;
  } else if (address.startsWith('ns=')) {
    const m = /^ns=(\d{1,5});(.*)$/s.exec(address);
    if (!m || Number(m[1]) > 65535) throw new Error(nodeIdHint(address));
    namespace = Number(m[1]);
    identifier = m[2] as string;
  }
  if (!checkIdentifier(identifier)) throw new Error(nodeIdHint(address));
  try {
    coerceNodeId(`ns=${namespace};${identifier}`);
  } catch {
    throw new Error(nodeIdHint(address));
  }
  return namespaceUri === undefined ? { namespace, identifier } : { namespaceUri, namespace, identifier };
}

/**
 * The NodeId of a parsed address on one server: `nsu=` is looked up in the server's
 * namespace array. Throws a plain Error naming the unknown namespace.
 */
export function resolveAddress(address: NodeIdAddress, namespaceArray: readonly string[]): NodeId {
  let namespace = address.namespace;
  if (address.namespaceUri !== undefined) {
    namespace = namespaceArray.indexOf(address.namespaceUri);
    if (namespace < 0) throw new Error(`the server has no namespace ${address.namespaceUri}`);
  }
  return coerceNodeId(`ns=${namespace};${address.identifier}`);
}
