/** Computed tags as the Tags page shows them: which tags there are to reference, and who uses a tag. */
import type { Config } from './types';

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
        const formula = t.expression ?? t.aggregate?.of;
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
