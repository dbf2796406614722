import type { NorthDevice } from '../../core/plugin.js';
import { SET_SUFFIX } from '../../core/uns.js';
import { dotsAsLevels } from '../unexpected-topics.js';
import { setFilters } from './set-filters.js';

export interface SetTarget {
  device: string;
  tag: string;
}

interface DeviceTargets {
  topic: string;
  device: string;
  tags: Set<string>;
}

/**
 * The `{device topic}/{tag}/_set` topics of an app's devices: which device and tag a request
 * is for, and the filters to subscribe (see set-filters.ts). No topic is kept per tag: at
 * 100,000 tags a string and a target each cost 12 MB.
 */
export class SetTargets {
  /** In configuration order: when two devices share a topic, the last one's tag wins. */
  private targets: DeviceTargets[] = [];

  refresh(devices: NorthDevice[]): void {
    this.targets = devices.map((d) => {
      // Read-only tags are included too, so that a write to one is answered with "read-only".
      const tags = new Set<string>();
      for (const g of d.config.groups) for (const t of g.tags) tags.add(t.name);
      return { topic: d.topic, device: d.config.name, tags };
    });
  }

  /** The topic filters that receive every `_set` request for the devices `wanted` accepts. */
  filters(wanted: (device: string) => boolean): string[] {
    return setFilters(this.targets.filter((t) => wanted(t.device)));
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

  /**
   * For a `_set` topic that matches no tag: the device whose topic it falls under (the deepest
   * one) and the tag name asked for, so that the log can say what is missing.
   */
  unknownTag(topic: string): SetTarget | undefined {
    if (!topic.endsWith(SET_SUFFIX)) return undefined;
    const path = topic.slice(0, -SET_SUFFIX.length);
    let found: SetTarget | undefined;
    let foundTopicLength = -1;
    for (const { topic: deviceTopic, device } of this.targets) {
      const tag = tagUnder(deviceTopic, path);
      if (tag && deviceTopic.length >= foundTopicLength) {
        found = { device, tag };
        foundTopicLength = deviceTopic.length;
      }
    }
    return found;
  }

  private find(path: string, form: (name: string) => string): SetTarget | undefined {
    let found: SetTarget | undefined;
    for (const { topic: deviceTopic, device, tags } of this.targets) {
      const tag = tagUnder(form(deviceTopic), path);
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

/** The tag part of `path` when it lies under `deviceTopic` (the root when that is empty). */
function tagUnder(deviceTopic: string, path: string): string | undefined {
  if (deviceTopic === '') return path;
  return path.startsWith(`${deviceTopic}/`) ? path.slice(deviceTopic.length + 1) : undefined;
}
