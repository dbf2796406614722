import type { Gateway } from '../gateway.js';
import { type Fields, fields, isFields } from './status-fields.js';

/**
 * One `Gateway.status()` per scrape, shared by every collector, so that all metrics of
 * a scrape describe the same moment.
 */
export class StatusSource {
  devices: Fields[] = [];
  north: Fields[] = [];

  constructor(private readonly gateway: Gateway) {}

  refresh(): void {
    const status = this.gateway.status();
    // Read as loose fields: collectors also read driver- and plugin-specific counters.
    this.devices = (status.devices as unknown[]).filter(isFields);
    this.north = (status.north as unknown[]).filter(isFields);
  }

  /** The devices' Modbus links (or any driver stats with a `link.key`), once per shared link. */
  links(): Fields[] {
    const seen = new Map<string, Fields>();
    for (const device of this.devices) {
      const link = fields(fields(device.link).link);
      const key = link.key;
      if (typeof key === 'string' && !seen.has(key)) seen.set(key, link);
    }
    return [...seen.values()];
  }
}
