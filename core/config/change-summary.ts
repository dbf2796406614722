import { stableStringify } from '../stable-json.js';

/**
 * What a configuration change did, in words a plant engineer reads in the history:
 * `add device tank`, `edit tag press2/ramp`, `3 tags added, 1 changed in press2`,
 * `delete north app x`. Items are matched by name and compared with sorted keys, so a
 * reordered key or list is not a change. Works on any stored document, valid or not.
 */

type Loose = Record<string, unknown>;

interface Named {
  name: string;
  value: Loose;
}

/** Clauses shown before the rest is counted (`… and 4 more changes`). */
const MAX_CLAUSES = 4;

function asObject(value: unknown): Loose {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Loose) : {};
}

function namedList(value: unknown): Named[] {
  if (!Array.isArray(value)) return [];
  return value
    .map((v) => asObject(v))
    .filter((v) => typeof v.name === 'string')
    .map((v) => ({ name: v.name as string, value: v }));
}

const same = (a: unknown, b: unknown) => stableStringify(a) === stableStringify(b);

function without(value: Loose, key: string): Loose {
  const { [key]: _dropped, ...rest } = value;
  return rest;
}

/** Names added, removed and changed between two named lists (order ignored). */
export function compareNamed(
  before: unknown,
  after: unknown,
): { added: Named[]; removed: Named[]; changed: Array<{ before: Named; after: Named }> } {
  const old = new Map(namedList(before).map((n) => [n.name, n]));
  const next = namedList(after);
  const nextNames = new Set(next.map((n) => n.name));
  return {
    added: next.filter((n) => !old.has(n.name)),
    removed: [...old.values()].filter((n) => !nextNames.has(n.name)),
    changed: next
      .filter((n) => old.has(n.name) && !same(old.get(n.name)?.value, n.value))
      .map((n) => ({ before: old.get(n.name) as Named, after: n })),
  };
}

function countText(counts: Array<[number, string]>): string {
  return counts
    .filter(([n]) => n > 0)
    .map(([n, word]) => `${n} ${word}`)
    .join(', ');
}

/** Clauses for one device that exists before and after. */
function deviceClauses(device: string, before: Loose, after: Loose): string[] {
  const clauses: string[] = [];
  const outside = without(without(before, 'groups'), 'enabled');
  const outsideNext = without(without(after, 'groups'), 'enabled');
  if (!same(outside, outsideNext)) clauses.push(`edit device ${device}`);
  if (before.enabled !== after.enabled) {
    clauses.push(`${after.enabled === false ? 'disable' : 'enable'} device ${device}`);
  }
  const groups = compareNamed(before.groups, after.groups);
  for (const g of groups.added) clauses.push(`add group ${device}/${g.name}`);
  for (const g of groups.removed) clauses.push(`delete group ${device}/${g.name}`);
  const tagChanges = { added: [] as string[], removed: [] as string[], changed: [] as string[] };
  for (const g of groups.changed) {
    if (!same(without(g.before.value, 'tags'), without(g.after.value, 'tags'))) {
      clauses.push(`edit group ${device}/${g.after.name}`);
    }
    const tags = compareNamed(g.before.value.tags, g.after.value.tags);
    tagChanges.added.push(...tags.added.map((t) => t.name));
    tagChanges.removed.push(...tags.removed.map((t) => t.name));
    tagChanges.changed.push(...tags.changed.map((t) => t.after.name));
  }
  const total = tagChanges.added.length + tagChanges.removed.length + tagChanges.changed.length;
  if (total === 1) {
    const [verb, name] = tagChanges.added[0]
      ? ['add', tagChanges.added[0]]
      : tagChanges.removed[0]
        ? ['delete', tagChanges.removed[0]]
        : ['edit', tagChanges.changed[0]];
    clauses.push(`${verb} tag ${device}/${name}`);
  } else if (total > 1) {
    const counts = countText([
      [tagChanges.added.length, tagChanges.added.length === 1 ? 'tag added' : 'tags added'],
      [tagChanges.changed.length, 'changed'],
      [tagChanges.removed.length, 'deleted'],
    ]);
    // "3 tags added, 1 changed in press2"; the first count names the tags.
    const named =
      tagChanges.added.length > 0
        ? counts
        : counts.replace(/^(\d+) (\w+)/, (_m, n, w) => `${n} ${n === '1' ? 'tag' : 'tags'} ${w}`);
    clauses.push(`${named} in ${device}`);
  }
  return clauses;
}

function listClauses(kind: string, before: unknown, after: unknown, onChanged: (n: Named, m: Named) => string[]) {
  const diff = compareNamed(before, after);
  return [
    ...diff.added.map((n) => `add ${kind} ${n.name}`),
    ...diff.removed.map((n) => `delete ${kind} ${n.name}`),
    ...diff.changed.flatMap((c) => onChanged(c.before, c.after)),
  ];
}

/** Every change from `before` to `after`, one clause each, in a stable order. */
export function changeClauses(before: unknown, after: unknown): string[] {
  const a = asObject(before);
  const b = asObject(after);
  const clauses: string[] = [];
  if (!same(a.gateway, b.gateway)) clauses.push('edit gateway settings');
  // A model is one clause however many devices are built from it.
  const users = (model: string) => namedList(b.devices).filter((d) => d.value.model === model).length;
  clauses.push(
    ...listClauses('model', a.models, b.models, (_old, next) => {
      const n = users(next.name);
      return [`edit model ${next.name} (${n} device${n === 1 ? '' : 's'})`];
    }),
  );
  clauses.push(
    ...listClauses('device', a.devices, b.devices, (old, next) => deviceClauses(next.name, old.value, next.value)),
  );
  clauses.push(
    ...listClauses('north app', a.north, b.north, (old, next) => {
      if (same(without(old.value, 'enabled'), without(next.value, 'enabled'))) {
        return [`${next.value.enabled === false ? 'disable' : 'enable'} north app ${next.name}`];
      }
      return [`edit north app ${next.name}`];
    }),
  );
  // A list only reordered (devices, north apps) still changes the document: say so.
  if (clauses.length === 0 && !same(a, b)) clauses.push('reorder items');
  return clauses;
}

/** One line: the first few clauses, then how many more. `before` undefined: the first entry. */
export function summarizeChange(before: unknown, after: unknown): string {
  if (before === undefined) {
    const b = asObject(after);
    const counts = countText([
      [namedList(b.models).length, namedList(b.models).length === 1 ? 'model' : 'models'],
      [namedList(b.devices).length, namedList(b.devices).length === 1 ? 'device' : 'devices'],
      [namedList(b.north).length, namedList(b.north).length === 1 ? 'north app' : 'north apps'],
    ]);
    return counts || 'empty configuration';
  }
  const clauses = changeClauses(before, after);
  if (clauses.length === 0) return 'no changes';
  const shown = clauses.slice(0, MAX_CLAUSES).join(', ');
  const more = clauses.length - MAX_CLAUSES;
  return more > 0 ? `${shown} and ${more} more change${more === 1 ? '' : 's'}` : shown;
}

/**
 * What exists in `current` and not in `target`: what going to `target` (a rollback) deletes,
 * as `device tank`, `group press2/slow`, `tag press2/ramp`, `north app x`.
 */
export function removedBy(current: unknown, target: unknown): string[] {
  const a = asObject(current);
  const b = asObject(target);
  const out: string[] = [];
  const devices = compareNamed(a.devices, b.devices);
  out.push(...devices.removed.map((d) => `device ${d.name}`));
  for (const d of devices.changed) {
    const groups = compareNamed(d.before.value.groups, d.after.value.groups);
    out.push(...groups.removed.map((g) => `group ${d.after.name}/${g.name}`));
    for (const g of groups.changed) {
      const tags = compareNamed(g.before.value.tags, g.after.value.tags);
      out.push(...tags.removed.map((t) => `tag ${d.after.name}/${t.name}`));
    }
  }
  out.push(...compareNamed(a.north, b.north).removed.map((n) => `north app ${n.name}`));
  out.push(...compareNamed(a.models, b.models).removed.map((m) => `model ${m.name}`));
  return out;
}
