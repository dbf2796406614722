import type { TagConfig } from './config/schema.js';

/**
 * Something worked out once per tag of a group's readings, kept by the tag's position: a reading lists
 * its group's tags in the same order every time, so a position is checked by tag identity and worked
 * out again only when the tag there changes (a new configuration, a write's read-back).
 */
export class ByReadingPosition<V> {
  private readonly tags: Array<TagConfig | undefined> = [];
  private readonly values: V[] = [];

  constructor(private readonly make: (tag: TagConfig) => V) {}

  get(position: number, tag: TagConfig): V {
    if (this.tags[position] === tag) return this.values[position] as V;
    const value = this.make(tag);
    this.tags[position] = tag;
    this.values[position] = value;
    return value;
  }
}
