import { deviceOf, hasPlaceholder, placeholdersIn, settingStrings } from './models.js';
import { type DeviceConfig, type DeviceEntry, type ModelConfig, UNS_PATTERN } from './schema.js';

/**
 * Checks of models and of the devices built from them. A problem inside a model is reported
 * once, at the model's path with the number of devices using it — not once per device: the
 * device checks run on expanded devices, and `ModelErrors.route` moves what comes from a
 * model to the model.
 */

/** Runs the ordinary device checks on one (expanded) device, reporting as `devices[i]…`. */
export type DeviceCheck = (device: DeviceConfig, i: number, errors: string[]) => void;

const UNS = new RegExp(UNS_PATTERN);

export class ModelErrors {
  /** Per model index: message (path inside the model) → devices it was seen for. */
  private readonly found = new Map<number, Map<string, Set<number>>>();
  private readonly index = new Map<string, number>();

  constructor(
    private readonly models: readonly ModelConfig[],
    private readonly entries: readonly DeviceEntry[],
  ) {
    models.forEach((m, i) => {
      if (typeof m?.name === 'string' && !this.index.has(m.name)) this.index.set(m.name, i);
    });
  }

  modelNamed(name: string | undefined): ModelConfig | undefined {
    const i = name === undefined ? undefined : this.index.get(name);
    return i === undefined ? undefined : this.models[i];
  }

  private named: Map<string, ModelConfig> | undefined;

  byName(): Map<string, ModelConfig> {
    this.named ??= new Map([...this.index].map(([name, i]) => [name, this.models[i] as ModelConfig]));
    return this.named;
  }

  private add(model: number, inside: string, device?: number): void {
    const messages = this.found.get(model) ?? new Map<string, Set<number>>();
    const devices = messages.get(inside) ?? new Set<number>();
    if (device !== undefined) devices.add(device);
    messages.set(inside, devices);
    this.found.set(model, messages);
  }

  /**
   * An error of expanded device `i`, reported where it can be fixed: in the device's own
   * part, in the model (once), or in the device's params when a `${param}` made it.
   */
  route(error: string, out: string[]): void {
    const m = /^devices\[(\d+)\]\.(groups\[(\d+)\](.*)|settings\.([^.[:]+)(.*))$/s.exec(error);
    const entry = m ? this.entries[Number(m[1])] : undefined;
    const model = entry?.model === undefined ? undefined : this.modelNamed(entry.model);
    // Two devices publishing one topic is about where the devices are (their uns), not the model.
    if (!m || !entry || !model || error.includes('is also published by')) {
      out.push(error);
      return;
    }
    const i = Number(m[1]);
    const modelIndex = this.index.get(model.name) as number;
    if (m[3] !== undefined) {
      const j = Number(m[3]);
      const own = j - model.groups.length;
      if (own >= 0) {
        out.push(`devices[${i}].groups[${own}]${m[4]}`);
        return;
      }
      const inside = `groups[${j}]${m[4]}`;
      if (this.madeByParam(model, inside))
        out.push(`devices[${i}].params: with these values, model ${model.name} ${inside}`);
      else this.add(modelIndex, inside, i);
      return;
    }
    const key = m[5] as string;
    if (key in entry.settings || !(key in model.settings)) out.push(error);
    else if (hasPlaceholder(model.settings[key])) {
      out.push(`devices[${i}].params: with these values, model ${model.name} settings.${key}${m[6]}`);
    } else this.add(modelIndex, `settings.${key}${m[6]}`, i);
  }

  /** True when the model's tag at the start of `inside` has a `${param}` in its address. */
  private madeByParam(model: ModelConfig, inside: string): boolean {
    const at = /^groups\[(\d+)\]\.tags\[(\d+)\]\.address/.exec(inside);
    if (!at) return false;
    return hasPlaceholder(model.groups[Number(at[1])]?.tags[Number(at[2])]?.address);
  }

  /** An error found in the model itself (not through a device). */
  addOwn(modelIndex: number, inside: string): void {
    this.add(modelIndex, inside);
  }

  /** `models[0].groups[0].tags[2].address: … (model pm5560, used by 300 devices)`, once each. */
  messages(): string[] {
    const out: string[] = [];
    for (const [i, messages] of this.found) {
      const model = this.models[i] as ModelConfig;
      const users = this.entries.filter((d) => d?.model === model.name).length;
      for (const inside of messages.keys()) {
        const sep = inside.indexOf(': ');
        const where = sep < 0 ? inside : inside.slice(0, sep);
        const what = sep < 0 ? 'is invalid' : inside.slice(sep + 2);
        const used = users === 1 ? 'used by 1 device' : `used by ${users} devices`;
        out.push(`models[${i}].${where}: ${what} (model ${model.name}, ${used})`);
      }
    }
    return out;
  }
}

/** `${x}` in a model must name one of its params. */
function checkPlaceholders(model: ModelConfig, i: number, errors: string[]): void {
  const params = new Set(model.params);
  const check = (text: string, path: string) => {
    for (const name of placeholdersIn(text)) {
      if (!params.has(name)) errors.push(`models[${i}].${path}: \${${name}} is not a parameter of this model`);
    }
  };
  for (const { path, text } of settingStrings(model.settings)) check(text, `settings.${path}`);
  model.groups.forEach((g, j) => {
    g.tags.forEach((t, k) => {
      if (t.address !== undefined) check(t.address, `groups[${j}].tags[${k}].address`);
    });
  });
}

/**
 * Checks each model on its own (so that an unused model is checked too): its parameters,
 * and the ordinary device checks on its settings and tags, leaving out what only a device
 * completes (required settings, anything with a `${param}`).
 */
export function checkModels(
  models: readonly ModelConfig[],
  found: ModelErrors,
  check: DeviceCheck,
  errors: string[],
): void {
  models.forEach((model, i) => {
    if (!model || typeof model !== 'object' || !Array.isArray(model.groups) || !Array.isArray(model.params)) return;
    const seen = new Set<string>();
    model.params.forEach((p, k) => {
      if (seen.has(p)) errors.push(`models[${i}].params[${k}]: duplicate parameter "${p}"`);
      seen.add(p);
    });
    checkPlaceholders(model, i, errors);
    const raw: string[] = [];
    const settings = Object.fromEntries(Object.entries(model.settings).filter(([, v]) => !hasPlaceholder(v)));
    const groups = model.groups.map((g) => ({ ...g, tags: g.tags.filter((t) => !hasPlaceholder(t.address)) }));
    const probe = { name: model.name, driver: model.driver, enabled: true, uns: model.name, settings, groups };
    check(probe as DeviceConfig, -1, raw);
    for (const e of raw) {
      if (/^devices\[-1\]\.settings\.[^:]*: is required$/.test(e)) continue;
      // Tags were filtered: map the probe's tag index back to the model's.
      const inside = e.replace(/^devices\[-1\]\./, '').replace(/^groups\[(\d+)\]\.tags\[(\d+)\]/, (_w, j, k) => {
        const group = model.groups[Number(j)];
        const tag = groups[Number(j)]?.tags[Number(k)];
        return `groups[${j}].tags[${group && tag ? group.tags.indexOf(tag) : k}]`;
      });
      found.addOwn(i, inside);
    }
  });
}

/**
 * Checks a device's model reference and params and returns it as the gateway runs it
 * (undefined when it cannot be built). Fills in `uns` (default: the name) in the entry.
 */
export function buildDevice(
  entry: DeviceEntry,
  i: number,
  found: ModelErrors,
  errors: string[],
): DeviceConfig | undefined {
  if (!entry || typeof entry !== 'object' || typeof entry.name !== 'string') return undefined;
  if (entry.uns === undefined) entry.uns = entry.name;
  const at = `devices[${i}]`;
  if (entry.model === undefined) {
    if (entry.params !== undefined) errors.push(`${at}.params: only a device built from a model takes params`);
    if (entry.driver === undefined) errors.push(`${at}.driver: is required (or a model)`);
    if (hasPlaceholder(entry.uns) && !UNS.test(entry.uns))
      errors.push(`${at}.uns: must be levels of letters, digits, "_", "." and "-"`);
    return entry.driver === undefined ? undefined : (entry as DeviceConfig);
  }
  const model = found.modelNamed(entry.model);
  if (!model) {
    errors.push(`${at}.model: no model named "${entry.model}"`);
    return undefined;
  }
  if (entry.driver !== undefined && entry.driver !== model.driver) {
    errors.push(`${at}.driver: the device takes driver "${model.driver}" from model ${model.name}; leave driver out`);
  }
  // The compact form names the model only (as export shows it).
  if (entry.driver === model.driver) delete entry.driver;
  const given = entry.params ?? {};
  for (const p of model.params) {
    if (!(p in given)) errors.push(`${at}.params.${p}: is required (a parameter of model ${model.name})`);
  }
  for (const p of Object.keys(given)) {
    if (!model.params.includes(p)) errors.push(`${at}.params.${p}: model ${model.name} has no parameter "${p}"`);
  }
  const modelGroups = new Set(model.groups.map((g) => g.name));
  entry.groups.forEach((g, j) => {
    if (modelGroups.has(g.name)) {
      errors.push(`${at}.groups[${j}].name: model ${model.name} has a group "${g.name}" already; pick another name`);
    }
  });
  const params = new Set(model.params);
  const usesUnknown = (text: string, path: string) => {
    for (const name of placeholdersIn(text)) {
      if (!params.has(name)) errors.push(`${at}.${path}: \${${name}} is not a parameter of model ${model.name}`);
    }
  };
  usesUnknown(entry.uns, 'uns');
  for (const { path, text } of settingStrings(entry.settings)) usesUnknown(text, `settings.${path}`);
  const device = deviceOf(entry, found.byName());
  if (hasPlaceholder(entry.uns) && device?.uns !== undefined && !UNS.test(device.uns)) {
    errors.push(
      `${at}.uns: "${device.uns}" (with the params filled in) must be levels of letters, digits, "_", "." and "-"`,
    );
  }
  return device;
}
