/**
 * The simulator's address space (README.md in this folder has the table): folders under
 * Objects/Demo with changing, static and writable variables, and an optional Bulk folder.
 */
import {
  AccessLevelFlag,
  DataType,
  type IAddressSpace,
  type INamespace,
  type UAObject,
  type UAVariable,
  Variant,
  VariantArrayType,
} from 'node-opcua';
import { type SimpleValue, toVariant } from './opcua-values.js';

/** Namespace index 1: node-opcua registers the server's application URI there. */
export const SIMULATOR_NAMESPACE_URI = 'urn:tagwire:simulator';

const READ_WRITE = AccessLevelFlag.CurrentRead | AccessLevelFlag.CurrentWrite;
const READ_ONLY = AccessLevelFlag.CurrentRead;

interface StaticVariable {
  name: string;
  dataType: DataType;
  value: SimpleValue | bigint;
}

/** Initial values of Demo/Static, one writable variable per scalar type. */
export const STATIC_VARIABLES: readonly StaticVariable[] = [
  { name: 'Boolean', dataType: DataType.Boolean, value: true },
  { name: 'SByte', dataType: DataType.SByte, value: -100 },
  { name: 'Byte', dataType: DataType.Byte, value: 200 },
  { name: 'Int16', dataType: DataType.Int16, value: -12345 },
  { name: 'UInt16', dataType: DataType.UInt16, value: 54321 },
  { name: 'Int32', dataType: DataType.Int32, value: -123456789 },
  { name: 'UInt32', dataType: DataType.UInt32, value: 3000000000 },
  { name: 'Int64', dataType: DataType.Int64, value: -1234567890123456789n },
  { name: 'UInt64', dataType: DataType.UInt64, value: 18446744073709551615n },
  { name: 'Float', dataType: DataType.Float, value: 3.5 },
  { name: 'Double', dataType: DataType.Double, value: 123456.789012345 },
  { name: 'String', dataType: DataType.String, value: 'TAGWIRE-SIM' },
  { name: 'DateTime', dataType: DataType.DateTime, value: '2024-01-01T00:00:00.000Z' },
  {
    name: 'ByteString',
    dataType: DataType.ByteString,
    value: Buffer.from([0xde, 0xad, 0xbe, 0xef]).toString('base64'),
  },
];

export const DOUBLE_ARRAY_INITIAL = [1.5, 2.5, 3.5, 4.5, 5.5];
export const READ_ONLY_INT32_INITIAL = 42;
export const NUMERIC_NODE_INITIAL = 1001.5;
export const SETPOINT_INITIAL = 22.5;

/** The moving variables, which the animation updates. */
export interface DynamicVariables {
  temperature: UAVariable;
  pressure: UAVariable;
  counter: UAVariable;
  ramp: UAVariable;
  clock: UAVariable;
}

export interface SimulatorNodes {
  dynamic: DynamicVariables;
  /** `ns=1;s=Bulk.V0` … in order; empty without `extraVariables`. */
  bulk: UAVariable[];
}

export function buildAddressSpace(addressSpace: IAddressSpace, extraVariables: number): SimulatorNodes {
  const ns = addressSpace.getOwnNamespace();
  if (ns.index !== 1 || ns.namespaceUri !== SIMULATOR_NAMESPACE_URI) {
    throw new Error(`expected namespace 1 to be ${SIMULATOR_NAMESPACE_URI}, got ${ns.index} ${ns.namespaceUri}`);
  }
  const objects = addressSpace.rootFolder.objects;
  const demo = ns.addFolder(objects, { browseName: 'Demo', nodeId: 's=Demo' });
  const dynamic = addDynamic(ns, ns.addFolder(demo, { browseName: 'Dynamic', nodeId: 's=Demo.Dynamic' }));
  addStatic(ns, ns.addFolder(demo, { browseName: 'Static', nodeId: 's=Demo.Static' }));
  addVariable(ns, demo, 'Setpoint', 's=Demo.Setpoint', toVariant(DataType.Double, SETPOINT_INITIAL), READ_WRITE);
  const bulk = extraVariables > 0 ? addBulk(ns, objects, extraVariables) : [];
  return { dynamic, bulk };
}

function addVariable(
  ns: INamespace,
  parent: UAObject,
  browseName: string,
  nodeId: string,
  initial: Variant,
  accessLevel: number,
): UAVariable {
  const isArray = initial.arrayType === VariantArrayType.Array;
  return ns.addVariable({
    organizedBy: parent,
    browseName,
    nodeId,
    dataType: initial.dataType,
    valueRank: isArray ? 1 : -1,
    arrayDimensions: isArray ? [(initial.value as ArrayLike<unknown>).length] : null,
    accessLevel,
    userAccessLevel: accessLevel,
    value: initial,
  });
}

function addDynamic(ns: INamespace, folder: UAObject): DynamicVariables {
  const add = (name: string, dataType: DataType, value: SimpleValue) =>
    addVariable(ns, folder, name, `s=Demo.Dynamic.${name}`, toVariant(dataType, value), READ_ONLY);
  return {
    temperature: add('Temperature', DataType.Double, 22.5),
    pressure: add('Pressure', DataType.Float, 1.25),
    counter: add('Counter', DataType.UInt32, 0),
    ramp: add('Ramp', DataType.Int16, -100),
    clock: add('Clock', DataType.DateTime, Date.now()),
  };
}

function addStatic(ns: INamespace, folder: UAObject): void {
  for (const v of STATIC_VARIABLES) {
    addVariable(ns, folder, v.name, `s=Demo.Static.${v.name}`, toVariant(v.dataType, v.value), READ_WRITE);
  }
  const array = new Variant({
    dataType: DataType.Double,
    arrayType: VariantArrayType.Array,
    value: new Float64Array(DOUBLE_ARRAY_INITIAL),
  });
  addVariable(ns, folder, 'DoubleArray', 's=Demo.Static.DoubleArray', array, READ_WRITE);
  const readOnly = toVariant(DataType.Int32, READ_ONLY_INT32_INITIAL);
  addVariable(ns, folder, 'ReadOnlyInt32', 's=Demo.Static.ReadOnlyInt32', readOnly, READ_ONLY);
  // A failed sensor or a division by zero on a PLC: JSON has no NaN, so the gateway must not pass it as good.
  addVariable(ns, folder, 'DoubleNaN', 's=Demo.Static.DoubleNaN', toVariant(DataType.Double, Number.NaN), READ_ONLY);
  // A numeric NodeId, as many PLCs use.
  addVariable(ns, folder, 'Numeric1001', 'i=1001', toVariant(DataType.Double, NUMERIC_NODE_INITIAL), READ_WRITE);
}

function addBulk(ns: INamespace, objects: UAObject, count: number): UAVariable[] {
  const folder = ns.addFolder(objects, { browseName: 'Bulk', nodeId: 's=Bulk' });
  const variables: UAVariable[] = [];
  for (let i = 0; i < count; i++) {
    variables.push(addVariable(ns, folder, `V${i}`, `s=Bulk.V${i}`, toVariant(DataType.Double, 0), READ_ONLY));
  }
  return variables;
}
