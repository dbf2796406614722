import { dotsAsLevels } from '../unexpected-topics.js';

/** Sparkplug B topic namespace (Sparkplug 3.0 §4.1): spBv1.0/{group}/{type}/{node}[/{device}]. */
export const NAMESPACE = 'spBv1.0';

/**
 * The topics a message for `topic` may arrive on: as published, and as a broker that
 * rewrites `.` to `/` delivers it (RabbitMQ's MQTT plugin: `spBv1.0/…` arrives as `spBv1/0/…`).
 */
function arrivalForms(topic: string): string[] {
  const rewritten = dotsAsLevels(topic);
  return rewritten === topic ? [topic] : [topic, rewritten];
}

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

  /** True for this node's NCMD topic (either arrival form). */
  isNodeCommand(topic: string): boolean {
    return arrivalForms(this.node('NCMD')).includes(topic);
  }

  /** The device id of a DCMD topic of this node (either arrival form), or undefined for any other topic. */
  commandDevice(topic: string): string | undefined {
    for (const prefix of arrivalForms(this.device('DCMD', ''))) {
      if (!topic.startsWith(prefix)) continue;
      const id = topic.slice(prefix.length);
      if (id.length > 0 && !id.includes('/')) return id;
    }
    return undefined;
  }
}

export function stateTopic(hostId: string): string {
  return `${NAMESPACE}/STATE/${hostId}`;
}

/** True for the STATE topic of `hostId` (either arrival form). */
export function isStateTopic(topic: string, hostId: string): boolean {
  return arrivalForms(stateTopic(hostId)).includes(topic);
}
