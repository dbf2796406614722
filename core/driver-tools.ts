/**
 * What a driver's tools answer (browse, decode lab, certificates), as the API returns it and
 * the web UI shows it. Types only, so that the browser build takes them as they are.
 */

/** `GET /api/v1/devices/{d}/browse?nodeId=…`: one child of a node (OPC UA). */
export interface BrowseEntry {
  nodeId: string;
  browseName: string;
  displayName: string;
  nodeClass: string;
  /** For variables: the data type's name (Double, Int32, …). */
  dataType?: string;
  /** For variables: "read", "readwrite" or "write". */
  access?: 'read' | 'readwrite' | 'write';
  hasChildren: boolean;
}

/** `GET /api/v1/devices/{d}/decode`: raw registers and every type × byte order of them (Modbus). */
export interface InspectResult {
  address: string;
  registers: number[];
  decodes: Array<{ type: string; byteOrder: string; value: number | bigint | string | null }>;
}

/** A server certificate a driver has seen, trusted or not yet. */
export interface CertificateInfo {
  thumbprint: string;
  subject: string;
  issuer?: string;
  /** OPC UA: the application URI in the certificate. */
  applicationUri?: string;
  validFrom: string;
  validTo: string;
  status: 'trusted' | 'rejected';
}
