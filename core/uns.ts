import type { DeviceConfig, GatewayConfig } from './config/schema.js';

/** Joins the non-empty parts of a topic with `/`. */
export function joinTopic(...parts: Array<string | undefined>): string {
  return parts.filter((p): p is string => typeof p === 'string' && p.length > 0).join('/');
}

export function deviceTopic(gateway: Pick<GatewayConfig, 'uns'>, device: Pick<DeviceConfig, 'uns' | 'name'>): string {
  return joinTopic(gateway.uns, device.uns ?? device.name);
}

export function tagTopic(deviceTopicPath: string, tagName: string): string {
  return joinTopic(deviceTopicPath, tagName);
}

export function deviceStatusTopic(deviceTopicPath: string): string {
  return joinTopic(deviceTopicPath, '_status');
}

export function groupTopic(deviceTopicPath: string, group: string): string {
  return joinTopic(deviceTopicPath, '_group', group);
}

export function gatewayStatusTopic(gateway: Pick<GatewayConfig, 'uns' | 'id'>): string {
  return joinTopic(gateway.uns, '_gateway', gateway.id);
}

/** Where a model's data contract (JSON Schema) is published, retained. */
export function modelTopic(gateway: Pick<GatewayConfig, 'uns'>, model: string): string {
  return joinTopic(gateway.uns, '_models', model);
}

/** Where the schema of a model's group payload (format `group`) is published, retained. */
export function modelGroupTopic(gateway: Pick<GatewayConfig, 'uns'>, model: string, group: string): string {
  return joinTopic(gateway.uns, '_models', model, '_group', group);
}

export const SET_SUFFIX = '/_set';
export const SET_RESULT_SUFFIX = '/_set/result';
