/** Computed tags as the Tags page shows them: which tags there are to reference, and who uses a tag. */
import type { Config, TagConfig } from './types';

/** A computed tag's aggregate (the compute driver's tag field), when the tag has a well-formed one. */
export interface AggregateView {
  function: string;
  of: string;
  windowMs: number;
}

/** The tag's aggregate, if it has one: compute devices declare `aggregate` as a tag field of their own. */
export function aggregateOf(tag: TagConfig): AggregateView | undefined {
  const a = tag.aggregate as Partial<AggregateView> | undefined;
  if (typeof a !== 'object' || a === null) return undefined;
  if (typeof a.function !== 'string' || typeof a.of !== 'string' || typeof a.windowMs !== 'number') return undefined;
  return { function: a.function, of: a.of, windowMs: a.windowMs };
}

/** What a computed tag is computed by: its expression, or its aggregate's input. */
export function formulaOf(tag: TagConfig): string | undefined {
  return typeof tag.expression === 'string' ? tag.expression : aggregateOf(tag)?.of;
}

/** Every tag of the gateway as `device/tag`. */
export function allTags(config: Config): string[] {
  return config.devices.flatMap((d) => d.groups.flatMap((g) => g.tags.map((t) => `${d.name}/${t.name}`)));
}

/** For each referenced `device/tag`, the computed tags (`device/tag`) whose formula names it. */
export function computedUsers(config: Config): Map<string, string[]> {
  const users = new Map<string, string[]>();
  for (const d of config.devices) {
    for (const g of d.groups) {
      for (const t of g.tags) {
        const formula = formulaOf(t);
        if (!formula) continue;
        for (const match of formula.matchAll(/\{\s*([^{}]+?)\s*\}/g)) {
          const reference = match[1] as string;
          const list = users.get(reference) ?? [];
          if (!list.includes(`${d.name}/${t.name}`)) list.push(`${d.name}/${t.name}`);
          users.set(reference, list);
        }
      }
    }
  }
  return users;
}
