/** Sparkplug B topic namespace (Sparkplug 3.0 §4.1): spBv1.0/{group}/{type}/{node}[/{device}]. */
export const NAMESPACE = 'spBv1.0';

export type NodeMessageType = 'NBIRTH' | 'NDEATH' | 'NDATA' | 'NCMD';
export type DeviceMessageType = 'DBIRTH' | 'DDEATH' | 'DDATA' | 'DCMD';

export class SparkplugTopics {
  constructor(
    readonly groupId: string,
    readonly edgeNodeId: string,
  ) {}

  node(type: NodeMessageType): string {
    return `${NAMESPACE}/${this.groupId}/${type}/${this.edgeNodeId}`;
  }

  device(type: DeviceMessageType, deviceId: string): string {
    return `${NAMESPACE}/${this.groupId}/${type}/${this.edgeNodeId}/${deviceId}`;
  }

  /** DCMD for every device of this node. */
  get deviceCommands(): string {
    return this.device('DCMD', '+');
  }

  /** The device id of a DCMD topic of this node, or undefined for any other topic. */
  commandDevice(topic: string): string | undefined {
    const prefix = this.device('DCMD', '');
    if (!topic.startsWith(prefix)) return undefined;
    const id = topic.slice(prefix.length);
    return id.length > 0 && !id.includes('/') ? id : undefined;
  }
}

export function stateTopic(hostId: string): string {
  return `${NAMESPACE}/STATE/${hostId}`;
}
