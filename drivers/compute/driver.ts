/**
 * A compute device (SPEC §3.4): no link; its tags are evaluated from other tags' values. Change-triggered
 * groups are evaluated per bus reading — one batch per reading, each due tag once, in dependency order —
 * and delivered by the driver; interval groups are polled by the core like any group.
 */
import type { GroupReading } from '../../core/bus.js';
import type { GroupConfig, TagConfig } from '../../core/config/schema.js';
import { GatewayError } from '../../core/errors.js';
import { ExpressionError, type ExpressionValue } from '../../core/expression/index.js';
import type { Driver, DriverContext, TagValueFeed } from '../../core/plugin.js';
import { ByReadingPosition } from '../../core/reading-positions.js';
import type { Quality, TagValue } from '../../core/values.js';
import type { Clock } from './clock.js';
import {
  type ComputedInput,
  type ComputedTag,
  type ComputePlan,
  type GroupSlots,
  type InputEntry,
  planDevice,
} from './plan.js';
import { asTagType } from './result.js';
import { TumblingWindow } from './window.js';

const QUALITY_RANK: Record<Quality, number> = { good: 0, uncertain: 1, bad: 2 };

export class ComputeDriver implements Driver {
  private readonly plan: ComputePlan;
  private readonly feed: TagValueFeed;
  private readonly windows: TumblingWindow[] = [];
  private unsubscribe: (() => void) | undefined;
  private startTimer: NodeJS.Immediate | undefined;
  private batch = 0;
  private inBatch = false;
  private readonly pendingWindows: Array<{ tag: ComputedTag; value: TagValue }> = [];
  private readonly errorsLogged = new Map<ComputedTag, string>();
  private evaluations = 0;
  /** Nesting of evaluateBatch: a delivered reading of this device may start another batch. */
  private depth = 0;
  private readonly dueScratch: ComputedTag[] = [];
  private readonly touchedScratch: GroupSlots[] = [];
  private evaluationErrors = 0;
  /** The feed's generation the kept input readings belong to. */
  private generation: number;
  /** Which input a group reading's k-th item is, by device and group. */
  private readonly positions = new Map<string, Map<string, ByReadingPosition<InputEntry | undefined>>>();

  constructor(
    private readonly ctx: DriverContext,
    private readonly clock: Clock,
  ) {
    if (!ctx.tagValues || !ctx.deliver) throw new GatewayError('internal', 'a compute device needs the tag value feed');
    this.feed = ctx.tagValues;
    this.plan = planDevice(ctx.device);
    this.generation = this.feed.generation;
  }

  async connect(): Promise<void> {
    if (this.unsubscribe) return;
    this.unsubscribe = this.feed.subscribe((reading) => this.onReading(reading));
    for (const t of this.plan.tags) {
      if (!t.tag.aggregate) continue;
      const window = new TumblingWindow(t.tag.aggregate, this.clock, (value) => this.windowClosed(t, value));
      t.window = window;
      this.windows.push(window);
      window.begin();
    }
    // After the core has marked the device connected: the first results from values already there.
    this.startTimer = setImmediate(() => {
      this.startTimer = undefined;
      this.evaluateBatch(this.plan.tags.filter((t) => t.trigger === 'change' && this.allInputsKnown(t)));
    });
  }

  async close(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    if (this.startTimer) clearImmediate(this.startTimer);
    for (const window of this.windows) window.end();
    this.windows.length = 0;
    for (const t of this.plan.tags) t.window = undefined;
  }

  polls(group: GroupConfig): boolean {
    return group.trigger === 'interval';
  }

  /** An interval group: its expressions evaluated now, stamped now; aggregates are left to their windows. */
  async read(group: GroupConfig): Promise<TagValue[]> {
    this.checkGeneration();
    const now = this.clock.now();
    const byTag = new Map(this.plan.tags.filter((t) => t.group === group.name).map((t) => [t.tag, t]));
    const values: TagValue[] = [];
    group.tags.forEach((tag, i) => {
      const t = byTag.get(tag);
      if (!t || tag.aggregate) return;
      const value = { ...this.evaluate(t), timestamp: now };
      t.value = value;
      values[i] = value;
    });
    return values;
  }

  async write(tag: TagConfig): Promise<void> {
    throw new GatewayError('read-only', `tag "${tag.name}" is computed and read-only`);
  }

  stats(): Record<string, unknown> {
    let late = 0;
    for (const w of this.windows) late += w.late;
    return { evaluations: this.evaluations, evaluationErrors: this.evaluationErrors, lateSamples: late };
  }

  private onReading(reading: GroupReading): void {
    const byTag = this.plan.inputs.get(reading.device);
    if (!byTag) return;
    this.checkGeneration();
    const positions = this.positionsOf(reading.device, reading.group, byTag);
    const batch = ++this.batch;
    // One list reused by every reading; a reading delivered while a batch runs (the device's own) gets its own.
    const due = this.depth === 0 ? this.dueScratch : [];
    due.length = 0;
    const items = reading.items;
    for (let k = 0; k < items.length; k++) {
      const item = items[k] as GroupReading['items'][number];
      const entry = positions.get(k, item.tag);
      if (!entry) continue;
      const value = item.value;
      entry.reading = value;
      const changed = entry.lastValue !== value.value || entry.lastQuality !== value.quality;
      entry.lastValue = value.value;
      entry.lastQuality = value.quality;
      const list = entry.due;
      for (let j = 0; j < list.length; j++) {
        const t = list[j] as ComputedTag;
        // An aggregate samples every reading; an expression is evaluated when an input changed.
        if (t.batch === batch || (!changed && !t.tag.aggregate)) continue;
        t.batch = batch;
        due.push(t);
      }
    }
    if (due.length === 0) return;
    if (!inRankOrder(due)) due.sort((a, b) => a.rank - b.rank);
    this.evaluateBatch(due);
  }

  /**
   * Evaluates `due` in order and hands each group's new values to the core. The outermost batch fills the
   * plan's per-group arrays (the core reads them during `deliver` and keeps the values, not the array) and
   * clears what it set afterwards; a batch started from inside `deliver` uses arrays of its own.
   */
  private evaluateBatch(due: ComputedTag[]): void {
    this.checkGeneration();
    const outer = this.depth === 0;
    const touched = outer ? this.touchedScratch : [];
    touched.length = 0;
    this.depth++;
    try {
      this.inBatch = true;
      try {
        for (let k = 0; k < due.length; k++) {
          const t = due[k] as ComputedTag;
          const value = this.evaluate(t);
          const window = t.window;
          if (window) {
            window.add(typeof value.value === 'number' ? value.value : undefined, value.timestamp, value.quality);
            continue;
          }
          t.value = value;
          let slots = outer ? t.groupSlots : undefined;
          if (!slots) {
            slots = touched.find((g) => g.name === t.group) ?? { name: t.group, values: [], touched: false };
          }
          if (!slots.touched) {
            slots.touched = true;
            touched.push(slots);
          }
          slots.values[t.index] = value;
        }
      } finally {
        this.inBatch = false;
      }
      for (let k = 0; k < touched.length; k++) {
        const slots = touched[k] as GroupSlots;
        slots.touched = false;
        this.ctx.deliver?.(slots.name, slots.values);
      }
      if (outer) {
        for (let k = 0; k < due.length; k++) {
          const t = due[k] as ComputedTag;
          t.groupSlots.values[t.index] = undefined;
        }
      }
      this.flushWindows();
    } finally {
      this.depth--;
    }
  }

  private windowClosed(t: ComputedTag, value: TagValue): void {
    this.pendingWindows.push({ tag: t, value });
    if (!this.inBatch) this.flushWindows();
  }

  /** Window ends are published whatever `publish` says, after the batch that closed them. */
  private flushWindows(): void {
    while (this.pendingWindows.length > 0) {
      const { tag, value } = this.pendingWindows.shift() as { tag: ComputedTag; value: TagValue };
      tag.value = value;
      const values: TagValue[] = [];
      values[tag.index] = value;
      this.ctx.deliver?.(tag.group, values, { force: true });
    }
  }

  private positionsOf(
    device: string,
    group: string,
    byTag: Map<string, InputEntry>,
  ): ByReadingPosition<InputEntry | undefined> {
    let byGroup = this.positions.get(device);
    if (!byGroup) {
      byGroup = new Map();
      this.positions.set(device, byGroup);
    }
    let positions = byGroup.get(group);
    if (!positions) {
      positions = new ByReadingPosition((tag) => byTag.get(tag.name));
      byGroup.set(group, positions);
    }
    return positions;
  }

  /** Devices started, stopped or regrouped: the kept readings may be of tags that are gone. */
  private checkGeneration(): void {
    if (this.feed.generation === this.generation) return;
    this.generation = this.feed.generation;
    for (const byTag of this.plan.inputs.values()) for (const entry of byTag.values()) entry.reading = undefined;
  }

  private currentValue(input: ComputedInput): TagValue | undefined {
    return input.source?.value ?? input.entry?.reading ?? this.feed.current(input.device, input.tag);
  }

  private allInputsKnown(t: ComputedTag): boolean {
    return t.inputs.every((i) => this.currentValue(i) !== undefined);
  }

  /**
   * One evaluation (SPEC §3.4): the newest input's timestamp, the worst input quality; a bad or missing
   * input gives `input-bad`, a failed evaluation or a non-finite number `expression-error`. Never throws.
   */
  private evaluate(t: ComputedTag): TagValue {
    this.evaluations++;
    let newest = 0;
    let worst: Quality = 'good';
    for (let i = 0; i < t.inputs.length; i++) {
      const current = this.currentValue(t.inputs[i] as ComputedInput);
      if (current && current.timestamp > newest) newest = current.timestamp;
      if (!current || current.quality === 'bad') worst = 'bad';
      else if (current.quality !== 'good' && QUALITY_RANK[current.quality] > QUALITY_RANK[worst]) {
        worst = current.quality;
      }
      t.inputValues[i] = current?.value as ExpressionValue;
    }
    const timestamp = newest || this.clock.now();
    if (worst === 'bad') return { value: null, timestamp, quality: 'bad', error: 'input-bad' };
    try {
      const result = t.formula.evaluateInputs(t.inputValues);
      const value = t.tag.aggregate ? toSample(result) : asTagType(result, t.tag.type);
      if (this.errorsLogged.size > 0) this.errorsLogged.delete(t);
      return { value, timestamp, quality: worst };
    } catch (error) {
      this.evaluationErrors++;
      this.logOnce(t, error);
      return { value: null, timestamp, quality: 'bad', error: 'expression-error' };
    }
  }

  /** Each distinct failure of a tag is logged once, not once per evaluation. */
  private logOnce(t: ComputedTag, error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    if (this.errorsLogged.get(t) === message) return;
    this.errorsLogged.set(t, message);
    this.ctx.log.warn({ tag: t.tag.name, error: message }, 'computed tag cannot be evaluated');
  }
}

/** Usually already so (inputs read in the order their computed tags are listed): no sort needed then. */
function inRankOrder(due: ComputedTag[]): boolean {
  for (let i = 1; i < due.length; i++)
    if ((due[i] as ComputedTag).rank < (due[i - 1] as ComputedTag).rank) return false;
  return true;
}

/** An aggregate's input as a number: booleans count 0/1, 64-bit integers as doubles. */
function toSample(value: ExpressionValue): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'bigint') return Number(value);
  throw new ExpressionError(`aggregate input "${value}" is not a number`);
}
