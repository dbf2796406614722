/**
 * What the driver learns about nodes and data types on one connection, each asked once:
 * a variable's DataType and ValueRank (for writes), a data type's built-in type and its name.
 */
import {
  AttributeIds,
  BrowseDirection,
  type ClientSession,
  DataType,
  DataTypeIds,
  type NodeId,
  NodeIdType,
  ReferenceTypeIds,
} from 'node-opcua';
import { GatewayError } from '../../core/errors.js';
import { dataTypeName, type NodeType } from './convert.js';
import { statusError, statusName } from './status.js';
import { withTimeout } from './timeout.js';

/** Abstract types (BaseDataType, Number, Integer, UInteger) say nothing about what a Variant must carry. */
const ABSTRACT = new Set<number>([DataType.Variant, DataTypeIds.Number, DataTypeIds.Integer, DataTypeIds.UInteger]);

function cached<T>(map: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> {
  let p = map.get(key);
  if (!p) {
    p = make();
    map.set(key, p);
    // A failure (timeout, lost connection) is not remembered: the next call asks again.
    p.catch(() => map.delete(key));
  }
  return p;
}

export class NodeTypes {
  private readonly nodes = new Map<string, Promise<NodeType>>();
  private readonly builtIns = new Map<string, Promise<DataType>>();
  private readonly names = new Map<string, Promise<string>>();

  constructor(
    private readonly session: ClientSession,
    private readonly timeoutMs: number,
  ) {}

  /** DataType and ValueRank of a variable, as the built-in type a written Variant must have. */
  nodeType(nodeId: NodeId): Promise<NodeType> {
    return cached(this.nodes, nodeId.toString(), async () => {
      const [dataType, valueRank] = await withTimeout(
        this.session.read([
          { nodeId, attributeId: AttributeIds.DataType },
          { nodeId, attributeId: AttributeIds.ValueRank },
        ]),
        this.timeoutMs,
        'reading the data type',
      );
      if (!dataType?.statusCode.isGood()) {
        const status = dataType?.statusCode ?? 0x80000000;
        throw new GatewayError(statusError(status), `${nodeId.toString()}: ${statusName(status)}`);
      }
      let builtIn = await this.builtIn(dataType.value.value as NodeId);
      if (ABSTRACT.has(builtIn)) builtIn = await this.currentType(nodeId);
      const rank = valueRank?.statusCode.isGood() ? Number(valueRank.value.value) : -1;
      return { dataType: builtIn, valueRank: rank };
    });
  }

  /** For nodes of an abstract type, the type of the value they hold now. */
  private async currentType(nodeId: NodeId): Promise<DataType> {
    const dv = await withTimeout(
      this.session.read({ nodeId, attributeId: AttributeIds.Value }),
      this.timeoutMs,
      'reading the value',
    );
    const type = dv.value?.dataType ?? DataType.Null;
    if (type === DataType.Null) {
      throw new GatewayError(
        'invalid-value',
        `${nodeId.toString()} has an abstract data type and no value to copy it from`,
      );
    }
    return type;
  }

  /** The built-in type a data type derives from (Duration → Double, an enumeration → Int32). */
  builtIn(dataTypeId: NodeId): Promise<DataType> {
    return cached(this.builtIns, dataTypeId.toString(), async () => {
      let id = dataTypeId;
      // A type hierarchy is shallow; the bound only guards against a server with a cycle.
      for (let depth = 0; depth < 32; depth++) {
        if (id.namespace === 0 && id.identifierType === NodeIdType.NUMERIC) {
          const n = id.value as number;
          if (n === DataTypeIds.Enumeration) return DataType.Int32;
          if (n <= DataType.DiagnosticInfo) return n as DataType;
          if (ABSTRACT.has(n)) return n as DataType;
        }
        const parent = await this.superType(id);
        if (!parent) break;
        id = parent;
      }
      return DataType.Variant;
    });
  }

  private async superType(dataTypeId: NodeId): Promise<NodeId | undefined> {
    const result = await withTimeout(
      this.session.browse({
        nodeId: dataTypeId,
        browseDirection: BrowseDirection.Inverse,
        referenceTypeId: ReferenceTypeIds.HasSubtype,
        includeSubtypes: false,
        nodeClassMask: 0,
        resultMask: 0x3f,
      }),
      this.timeoutMs,
      'browsing the data type',
    );
    return result.references?.[0]?.nodeId;
  }

  /** A data type's name: Double, Duration, or a structure's BrowseName. */
  typeName(dataTypeId: NodeId): Promise<string> {
    if (dataTypeId.namespace === 0 && dataTypeId.identifierType === NodeIdType.NUMERIC) {
      const n = dataTypeId.value as number;
      if (n > 0 && n <= DataType.DiagnosticInfo) return Promise.resolve(dataTypeName(n as DataType));
    }
    return cached(this.names, dataTypeId.toString(), async () => {
      const dv = await withTimeout(
        this.session.read({ nodeId: dataTypeId, attributeId: AttributeIds.BrowseName }),
        this.timeoutMs,
        'reading the data type name',
      );
      const name = (dv.value?.value as { name?: string } | null)?.name;
      return name ?? dataTypeId.toString();
    });
  }
}
