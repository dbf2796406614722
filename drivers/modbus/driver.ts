import type { GroupConfig, TagConfig, TagType } from '../../core/config/schema.js';
import { GatewayError } from '../../core/errors.js';
import { shortestFloat32 } from '../../core/float32.js';
import { type Driver, type DriverContext, type InspectResult, tagAddress } from '../../core/plugin.js';
import type { DriverStats } from '../../core/status-payload.js';
import { badValue, goodValue, type TagValue } from '../../core/values.js';
import { formatAddress, type ModbusAddress, parseAddress } from './address.js';
import { encodeValue, registerCount, toRaw } from './codec.js';
import { MODBUS_EXCEPTION_PREFIX, modbusExceptionCode } from './errors.js';
import type { LinkUser, Transport } from './link.js';
import { linkSourceFor } from './link-placement.js';
import { type PlanItem, planReads, type ReadBlock, SplitMemory, splitBlock, splitOffset } from './plan.js';
import { registerReader } from './register-readers.js';
import { type RequestOptions, requestError } from './requests.js';
import type { ModbusCommonSettings } from './settings.js';
import { compileTagDecoder, Float32Memo, type TagDecoder } from './tag-decoder.js';
import { BYTE_ORDERS, type ByteOrder, tagByteOrder } from './tag-fields.js';
import type { BlockAnswer, UnitLink, UnitLinkSource } from './unit-link.js';
import { isGatewayNoAnswer, unitSilence } from './unit-silence.js';

/** The numeric types the decode lab shows, smallest first. */
const LAB_TYPES: Exclude<TagType, 'bool' | 'string'>[] = [
  'int16',
  'uint16',
  'int32',
  'uint32',
  'float32',
  'int64',
  'uint64',
  'float64',
];

/**
 * A tag compiled once for reading and writing, and its item in the group's read plan: one
 * object per tag, holding its address's fields rather than the parsed address.
 */
interface CompiledTag extends PlanItem {
  tag: TagConfig;
  /** Bit of a register, for bools on hr and ir. */
  bit: number | undefined;
  type: TagType;
  byteOrder: ByteOrder;
  decode: TagDecoder;
}

interface GroupPlan {
  tags: CompiledTag[];
  blocks: ReadBlock[];
  splitsSeen: number;
  /** The float32 tags' last values, a slot per tag at its index in the group. */
  memo: Float32Memo;
}

/**
 * Exceptions by which a device refuses a joined read that smaller reads would get through:
 * 2 (an unmapped register inside it) and 3 (more registers than the device reads at once).
 */
const SPLITTABLE_REFUSALS: ReadonlySet<string> = new Set([modbusExceptionCode(2), modbusExceptionCode(3)]);

/**
 * Reads in a row in which a gateway answered "no answer from the unit" for every tag before
 * the unit is reported disconnected and backed off (the core counts timeouts the same way).
 */
const GATEWAY_NO_ANSWER_READS_BEFORE_DISCONNECTED = 3;

/**
 * One Modbus device (unit) on a shared link. Plans each group's reads once, and
 * learns: a joined read refused with exception 2 or 3 is bisected until the device
 * takes it (or the refusing register is alone), and the split is remembered for every
 * later cycle.
 */
export class ModbusDriver implements Driver, LinkUser {
  private link: UnitLink | undefined;
  private readonly plans = new WeakMap<GroupConfig, GroupPlan>();
  private readonly splits = new SplitMemory();
  private readonly request: RequestOptions;
  private splitCount = 0;
  /** Set while the unit does not answer; the next connect() first checks that it answers again. */
  private needsProbe = false;
  private lastBlock: ReadBlock | undefined;
  /** Reads in a row that a TCP→RTU gateway answered with exception 10/11 for every tag. */
  private gatewayNoAnswerReads = 0;

  constructor(
    private readonly ctx: DriverContext,
    private readonly settings: ModbusCommonSettings,
    private readonly transport: Transport,
    /** Where the link runs; by default chosen at the first connect (link-placement.ts). */
    private links?: UnitLinkSource,
  ) {
    this.request = {
      unitId: settings.unitId,
      timeoutMs: settings.timeoutMs,
      retries: settings.retries,
      log: ctx.log,
    };
  }

  /** Raw frames to and from this unit are traced in this device's log. */
  get frameLog(): { unitId: number; log: DriverContext['log'] } {
    return { unitId: this.settings.unitId, log: this.ctx.log };
  }

  /**
   * Groups may change while connected: read plans are kept per group object, so a changed
   * group (a new object) is planned afresh and the old plan is dropped with it.
   */
  groupsChanged(): void {}

  async connect(): Promise<void> {
    this.links ??= linkSourceFor(this.transport, () => this.plannedRequestsPerSecond());
    this.link ??= this.links.acquire(
      this.transport,
      {
        connectTimeoutMs: Math.max(this.settings.timeoutMs, 3000),
        maxInFlight: this.settings.maxInFlight,
        requestDelayMs: this.settings.requestDelayMs,
      },
      this,
    );
    await this.link.open();
    if (this.needsProbe && this.lastBlock) await this.probe(this.lastBlock);
    this.gatewayNoAnswerReads = 0;
  }

  /**
   * One request, no retries: a dead unit on a shared line costs one timeout per
   * reconnect attempt instead of a full cycle of reads.
   */
  private async probe(block: ReadBlock): Promise<void> {
    const link = this.link;
    if (!link) throw new GatewayError('disconnected', 'not connected');
    try {
      await link.read({ ...this.request, retries: 0 }, block, performance.now());
    } catch (raw) {
      const err = requestError(raw);
      // Any answer from the unit, even an exception, shows it is alive; a gateway's
      // "the unit did not answer" does not.
      if (err.code === 'timeout' || err.code === 'disconnected' || isGatewayNoAnswer(err.code)) throw err;
    }
    this.needsProbe = false;
  }

  /** Requests per second the device's groups plan (blocks per read over the interval). */
  private plannedRequestsPerSecond(): number {
    let perSecond = 0;
    for (const group of this.ctx.device.groups)
      perSecond += (this.planFor(group).blocks.length * 1000) / group.intervalMs;
    return perSecond;
  }

  async close(): Promise<void> {
    const link = this.link;
    this.link = undefined;
    await link?.detach(this);
  }

  linkLost(error: string): void {
    this.ctx.connectionLost(error);
  }

  stats(): DriverStats {
    return { learnedSplits: this.splitCount, link: this.link ? { key: this.link.key, ...this.link.snapshot() } : null };
  }

  /** `index`: the tag's position in its group (0 for a tag compiled to be written). */
  private compile(tag: TagConfig, index: number): CompiledTag {
    const address = parseAddress(tagAddress(tag));
    const isBit = address.area === 'coil' || address.area === 'di' || address.bit !== undefined;
    const type: TagType = tag.type ?? (isBit ? 'bool' : 'uint16');
    const count = isBit ? 1 : registerCount(type, tag.length);
    const byteOrder = tagByteOrder(tag) ?? this.settings.byteOrder;
    const decode = compileTagDecoder({
      address,
      type,
      byteOrder,
      scale: tag.scale,
      offset: tag.offset,
      length: tag.length,
    });
    return { index, area: address.area, offset: address.offset, count, tag, bit: address.bit, type, byteOrder, decode };
  }

  private planFor(group: GroupConfig): GroupPlan {
    let plan = this.plans.get(group);
    if (!plan || plan.splitsSeen !== this.splitCount) {
      const tags = plan?.tags ?? group.tags.map((t, index) => this.compile(t, index));
      // planReads keeps the tags' order: it sorts copies.
      const blocks = planReads(tags, this.settings, this.splits);
      const memo = plan?.memo ?? new Float32Memo(tags.some((t) => t.type === 'float32') ? tags.length : 0);
      plan = { tags, blocks, splitsSeen: this.splitCount, memo };
      this.plans.set(group, plan);
    }
    return plan;
  }

  async read(group: GroupConfig): Promise<TagValue[]> {
    const plan = this.planFor(group);
    const out: TagValue[] = new Array(plan.tags.length);
    // The group's next read is due one interval from now: that is its deadline on a shared link.
    const deadline = performance.now() + group.intervalMs;
    const link = this.link;
    let answers: BlockAnswer[];
    try {
      if (!link) throw new GatewayError('disconnected', 'not connected');
      answers = await link.readBlocks(this.request, plan.blocks, deadline);
    } catch (raw) {
      const err = requestError(raw);
      answers = plan.blocks.map(() => err);
    }
    for (let k = 0; k < plan.blocks.length; k++) {
      const halves = this.takeAnswer(plan.blocks[k] as ReadBlock, answers[k], plan, out);
      if (halves) for (const half of halves) await this.readBlock(half, plan, out, deadline);
    }
    this.lastBlock = plan.blocks[0] ?? this.lastBlock;
    const silence = unitSilence(out);
    this.needsProbe = silence !== undefined;
    this.trackGatewayNoAnswer(silence);
    return out;
  }

  /**
   * A unit behind a TCP→RTU gateway that does not answer gets exception 10/11 from the
   * gateway, often only after the gateway's own RTU timeout. The core backs off units that
   * time out; this does the same for these answers, so that the dead unit does not hold the
   * shared link every interval. Only this device is reported lost, not the link.
   */
  private trackGatewayNoAnswer(silence: string | undefined): void {
    if (!isGatewayNoAnswer(silence)) {
      this.gatewayNoAnswerReads = 0;
      return;
    }
    if (++this.gatewayNoAnswerReads < GATEWAY_NO_ANSWER_READS_BEFORE_DISCONNECTED) return;
    this.gatewayNoAnswerReads = 0;
    this.ctx.log.warn(
      { error: silence, unitId: this.settings.unitId },
      'the Modbus gateway reports that this unit does not answer; probing it again with backoff',
    );
    this.ctx.connectionLost(silence as string);
  }

  /** Reads one block alone (a half of a refused one). */
  private async readBlock(block: ReadBlock, plan: GroupPlan, out: TagValue[], deadline: number): Promise<void> {
    let answer: BlockAnswer;
    try {
      if (!this.link) throw new GatewayError('disconnected', 'not connected');
      answer = await this.link.read(this.request, block, deadline);
    } catch (raw) {
      answer = requestError(raw);
    }
    const halves = this.takeAnswer(block, answer, plan, out);
    if (halves) for (const half of halves) await this.readBlock(half, plan, out, deadline);
  }

  /**
   * Decodes a block's answer into `out`. On exception 2 or 3 splits the block in two, remembers
   * the split and returns the halves, to be read in its place.
   */
  private takeAnswer(
    block: ReadBlock,
    answer: BlockAnswer | undefined,
    plan: GroupPlan,
    out: TagValue[],
  ): readonly [ReadBlock, ReadBlock] | undefined {
    const data = answer ?? new GatewayError('internal', 'no answer for this block');
    if (!Buffer.isBuffer(data)) {
      const err = data;
      if (SPLITTABLE_REFUSALS.has(err.code)) {
        const halves = splitBlock(block);
        const at = splitOffset(block);
        if (halves && at !== null) {
          this.splits.add(block.area, at);
          this.splitCount++;
          this.ctx.log.info(
            { area: block.area, start: block.start, count: block.count, splitAt: at, error: err.code },
            `device refused a joined read (exception ${err.code.slice(MODBUS_EXCEPTION_PREFIX.length)}); splitting it and remembering the split`,
          );
          return halves;
        }
      }
      const now = Date.now();
      for (const item of block.items) out[item.index] = badValue(err.code, now);
      return undefined;
    }
    const now = Date.now();
    const { tags, memo } = plan;
    for (const item of block.items) {
      const t = tags[item.index] as CompiledTag;
      let value: TagValue;
      try {
        value = goodValue(t.decode(data, item.offset - block.start, memo, item.index), now);
      } catch (err) {
        value = badValue(err instanceof GatewayError ? err.code : 'bad-response', now);
      }
      out[item.index] = value;
    }
    return undefined;
  }

  async inspect(address: string): Promise<InspectResult> {
    let a: ModbusAddress;
    try {
      a = parseAddress(address);
    } catch (err) {
      throw new GatewayError('invalid-value', (err as Error).message);
    }
    if (a.area === 'coil' || a.area === 'di' || a.bit !== undefined) {
      throw new GatewayError('not-supported', `${address} is a single bit; the decode lab reads registers`);
    }
    const link = this.link;
    if (!link?.isOpen) throw new GatewayError('not-connected', 'the device is not connected');
    // As many registers as a 64-bit value needs, fewer where the device's map ends.
    let registers: Buffer | undefined;
    let lastError: GatewayError | undefined;
    for (const count of [4, 2, 1]) {
      if (a.offset + count > 65536) continue;
      try {
        registers = await link.read({ ...this.request, retries: 0 }, { area: a.area, start: a.offset, count }, 0);
        break;
      } catch (raw) {
        lastError = requestError(raw);
        if (lastError.code !== modbusExceptionCode(2)) throw lastError;
      }
    }
    if (!registers) throw lastError ?? new GatewayError('bad-response', 'no registers');
    const available = registers.length / 2;
    const decodes: InspectResult['decodes'] = [];
    for (const type of LAB_TYPES) {
      for (const byteOrder of BYTE_ORDERS) {
        const value = registerCount(type) <= available ? registerReader(type, byteOrder)(registers, 0) : null;
        decodes.push({
          type,
          byteOrder,
          value: type === 'float32' && typeof value === 'number' ? shortestFloat32(value) : value,
        });
      }
    }
    const words = Array.from({ length: available }, (_, i) => (registers as Buffer).readUInt16BE(2 * i));
    return { address: formatAddress(a), registers: words, decodes };
  }

  async write(tag: TagConfig, value: unknown): Promise<void> {
    const t = this.compile(tag, 0);
    const { area, offset, bit } = t;
    if (area === 'ir' || area === 'di' || bit !== undefined) {
      throw new GatewayError('read-only', `${tag.address} cannot be written`);
    }
    // Every check happens before the first byte goes out.
    const raw = toRaw(value, {
      name: tag.name,
      type: t.type,
      scale: tag.scale,
      offset: tag.offset,
      length: tag.length,
    });
    const link = this.link;
    if (!link?.isOpen) throw new GatewayError('not-connected', 'the device is not connected');
    if (area === 'coil') {
      await link.writeCoils(this.request, offset, [raw as boolean]);
      return;
    }
    const registers = encodeValue(raw, t.type, t.byteOrder, tag.length);
    await link.writeRegisters(this.request, offset, registers);
  }
}
