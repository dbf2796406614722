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
import type { Quality, TagValue } from '../../core/values.js';
import type { Clock } from './clock.js';
import { type ComputedTag, type ComputePlan, planDevice } from './plan.js';
import { asTagType } from './result.js';
import { TumblingWindow } from './window.js';

const QUALITY_RANK: Record<Quality, number> = { good: 0, uncertain: 1, bad: 2 };

export class ComputeDriver implements Driver {
  private readonly plan: ComputePlan;
  private readonly feed: TagValueFeed;
  /** This device's own latest results: newer than the core's copy while a batch runs. */
  private readonly own = new Map<string, TagValue>();
  private readonly windows = new Map<ComputedTag, TumblingWindow>();
  private unsubscribe: (() => void) | undefined;
  private startTimer: NodeJS.Immediate | undefined;
  private batch = 0;
  private inBatch = false;
  private readonly pendingWindows: Array<{ tag: ComputedTag; value: TagValue }> = [];
  private readonly errorsLogged = new Map<ComputedTag, string>();
  private evaluations = 0;
  private evaluationErrors = 0;

  constructor(
    private readonly ctx: DriverContext,
    private readonly clock: Clock,
  ) {
    if (!ctx.tagValues || !ctx.deliver) throw new GatewayError('internal', 'a compute device needs the tag value feed');
    this.feed = ctx.tagValues;
    this.plan = planDevice(ctx.device);
  }

  async connect(): Promise<void> {
    if (this.unsubscribe) return;
    this.unsubscribe = this.feed.subscribe((reading) => this.onReading(reading));
    for (const t of this.plan.tags) {
      if (!t.tag.aggregate) continue;
      const window = new TumblingWindow(t.tag.aggregate, this.clock, (value) => this.windowClosed(t, value));
      this.windows.set(t, window);
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
    for (const window of this.windows.values()) window.end();
    this.windows.clear();
  }

  polls(group: GroupConfig): boolean {
    return group.trigger === 'interval';
  }

  /** An interval group: its expressions evaluated now, stamped now; aggregates are left to their windows. */
  async read(group: GroupConfig): Promise<TagValue[]> {
    const now = this.clock.now();
    const byTag = new Map(this.plan.tags.filter((t) => t.group === group.name).map((t) => [t.tag, t]));
    const values: TagValue[] = [];
    group.tags.forEach((tag, i) => {
      const t = byTag.get(tag);
      if (!t || tag.aggregate) return;
      const value = { ...this.evaluate(t), timestamp: now };
      this.own.set(t.reference, value);
      values[i] = value;
    });
    return values;
  }

  async write(tag: TagConfig): Promise<void> {
    throw new GatewayError('read-only', `tag "${tag.name}" is computed and read-only`);
  }

  stats(): Record<string, unknown> {
    let late = 0;
    for (const w of this.windows.values()) late += w.late;
    return { evaluations: this.evaluations, evaluationErrors: this.evaluationErrors, lateSamples: late };
  }

  private onReading(reading: GroupReading): void {
    const byTag = this.plan.inputs.get(reading.device);
    if (!byTag) return;
    const batch = ++this.batch;
    const due: ComputedTag[] = [];
    for (const item of reading.items) {
      const entry = byTag.get(item.tag.name);
      if (!entry) continue;
      const changed = entry.lastValue !== item.value.value || entry.lastQuality !== item.value.quality;
      entry.lastValue = item.value.value;
      entry.lastQuality = item.value.quality;
      for (const t of entry.due) {
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

  private evaluateBatch(due: ComputedTag[]): void {
    const byGroup = new Map<string, TagValue[]>();
    this.inBatch = true;
    try {
      for (const t of due) {
        const value = this.evaluate(t);
        const window = this.windows.get(t);
        if (window) {
          window.add(typeof value.value === 'number' ? value.value : undefined, value.timestamp, value.quality);
          continue;
        }
        this.own.set(t.reference, value);
        const values = byGroup.get(t.group) ?? [];
        byGroup.set(t.group, values);
        values[t.index] = value;
      }
    } finally {
      this.inBatch = false;
    }
    for (const [group, values] of byGroup) this.ctx.deliver?.(group, values);
    this.flushWindows();
  }

  private windowClosed(t: ComputedTag, value: TagValue): void {
    this.pendingWindows.push({ tag: t, value });
    if (!this.inBatch) this.flushWindows();
  }

  /** Window ends are published whatever `publish` says, after the batch that closed them. */
  private flushWindows(): void {
    while (this.pendingWindows.length > 0) {
      const { tag, value } = this.pendingWindows.shift() as { tag: ComputedTag; value: TagValue };
      this.own.set(tag.reference, value);
      const values: TagValue[] = [];
      values[tag.index] = value;
      this.ctx.deliver?.(tag.group, values, { force: true });
    }
  }

  private currentValue(device: string, tag: string, reference: string): TagValue | undefined {
    return device === this.ctx.device.name
      ? (this.own.get(reference) ?? this.feed.current(device, tag))
      : this.feed.current(device, tag);
  }

  private allInputsKnown(t: ComputedTag): boolean {
    return t.inputs.every((i) => this.currentValue(i.device, i.tag, i.reference) !== undefined);
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
      const input = t.inputs[i] as ComputedTag['inputs'][number];
      const current = this.currentValue(input.device, input.tag, input.reference);
      if (current && current.timestamp > newest) newest = current.timestamp;
      if (!current || current.quality === 'bad') worst = 'bad';
      else if (QUALITY_RANK[current.quality] > QUALITY_RANK[worst]) worst = current.quality;
      t.inputValues[i] = current?.value as ExpressionValue;
    }
    const timestamp = newest || this.clock.now();
    if (worst === 'bad') return { value: null, timestamp, quality: 'bad', error: 'input-bad' };
    try {
      const result = t.formula.evaluate(t.lookup);
      const value = t.tag.aggregate ? toSample(result) : asTagType(result, t.tag.type);
      if (this.errorsLogged.has(t)) this.errorsLogged.delete(t);
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
