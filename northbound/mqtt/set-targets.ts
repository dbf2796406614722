import type { NorthDevice } from '../../core/plugin.js';
import { SET_SUFFIX, tagTopic } from '../../core/uns.js';
import { dotsAsLevels } from '../unexpected-topics.js';

export interface SetTarget {
  device: string;
  tag: string;
}

/**
 * The `{device topic}/{tag}/_set` topics of an app's devices. The topics themselves are only
 * built to subscribe: kept per tag they cost about 120 bytes each (a string and a target),
 * 12 MB at 100,000 tags.
 */
export class SetTargets {
  /** Device topic → the device and the names of its tags. */
  private targets = new Map<string, { device: string; tags: Set<string> }>();

  refresh(devices: NorthDevice[]): void {
    this.targets = new Map();
    for (const d of devices) {
      // Read-only tags are included too, so that a write to one is answered with "read-only".
      const tags = new Set<string>();
      for (const g of d.config.groups) for (const t of g.tags) tags.add(t.name);
      this.targets.set(d.topic, { device: d.config.name, tags });
    }
  }

  /** Every `_set` topic of the devices `wanted` accepts. */
  topics(wanted: (device: string) => boolean): string[] {
    const topics: string[] = [];
    for (const [topic, { device, tags }] of this.targets) {
      if (!wanted(device)) continue;
      for (const tag of tags) topics.push(tagTopic(topic, tag) + SET_SUFFIX);
    }
    return topics;
  }

  /**
   * The device and tag of a `_set` topic (when several match, the last device configured).
   * A broker that rewrites `.` as `/` in topic names (RabbitMQ) delivers
   * `line.1/motor.speed/_set` as `line/1/motor/speed/_set`: that form is matched too.
   */
  match(topic: string): SetTarget | undefined {
    if (!topic.endsWith(SET_SUFFIX)) return undefined;
    const path = topic.slice(0, -SET_SUFFIX.length);
    return this.find(path, identity) ?? this.find(path, dotsAsLevels);
  }

  private find(path: string, form: (name: string) => string): SetTarget | undefined {
    let found: SetTarget | undefined;
    for (const [deviceTopic, { device, tags }] of this.targets) {
      const prefix = form(deviceTopic);
      const tag = prefix === '' ? path : path.startsWith(`${prefix}/`) ? path.slice(prefix.length + 1) : undefined;
      if (tag === undefined) continue;
      if (tags.has(tag)) found = { device, tag };
      else if (form !== identity) {
        for (const name of tags) if (form(name) === tag) found = { device, tag: name };
      }
    }
    return found;
  }
}

const identity = (name: string): string => name;
