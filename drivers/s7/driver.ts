import type { GroupConfig, TagConfig } from '../../core/config/schema.js';
import { GatewayError } from '../../core/errors.js';
import { type Driver, type DriverContext, tagAddress } from '../../core/plugin.js';
import { badValue, goodValue, type TagValue } from '../../core/values.js';
import { parseS7Address, type S7Address } from './address.js';
import { byteSize, compileDecoder, encodeWrite, type S7Decoder, type S7Type } from './codec.js';
import { S7Connection } from './connection.js';
import { itemError, jobError } from './errors.js';
import {
  DEFAULT_MAX_GAP,
  DEFAULT_MAX_ITEMS,
  type Piece,
  type PlanTag,
  pieceSpec,
  planS7Reads,
  type ReadPlan,
} from './plan.js';
import {
  ITEM_OK,
  type ItemSpec,
  parseReadResponse,
  parseWriteResponse,
  readRequest,
  writeRequest,
} from './protocol.js';
import { type S7Settings, tsaps } from './settings.js';

interface CompiledTag {
  address: S7Address;
  type: S7Type;
  bytes: number;
  decode: S7Decoder;
}

interface GroupPlan {
  tags: CompiledTag[];
  plan: ReadPlan;
  pduSize: number;
}

/** Read Var requests the last group read took, for the status page and the packing test. */
export interface S7ReadStats {
  lastRequests: number;
  lastItems: number;
}

/** One S7 PLC over one connection; each group's reads are planned once per negotiated PDU size. */
export class S7Driver implements Driver {
  private connection: S7Connection | undefined;
  private readonly plans = new WeakMap<GroupConfig, GroupPlan>();
  private readonly readStats: S7ReadStats = { lastRequests: 0, lastItems: 0 };

  constructor(
    private readonly ctx: DriverContext,
    private readonly settings: S7Settings,
  ) {}

  /** Plans are kept per group object: a changed group is planned afresh. */
  groupsChanged(): void {}

  async connect(): Promise<void> {
    this.connection?.close();
    const { localTsap, remoteTsap } = tsaps(this.settings);
    const connection = new S7Connection(
      {
        host: this.settings.host,
        port: this.settings.port,
        localTsap,
        remoteTsap,
        timeoutMs: this.settings.timeoutMs,
        requestedPdu: this.settings.pduSize,
      },
      (error) => {
        if (this.connection === connection) this.ctx.connectionLost(error);
      },
    );
    this.connection = connection;
    await connection.open();
    this.ctx.log.info({ pduSize: connection.pduSize, maxJobs: connection.maxJobs }, 'S7 connection set up');
  }

  async close(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    connection?.close();
  }

  stats(): Record<string, unknown> {
    const c = this.connection;
    if (!c) return { link: null };
    const uptime = c.stats.openedAt > 0 ? Date.now() - c.stats.openedAt : 0;
    return {
      pduSize: c.pduSize,
      requestsPerRead: this.readStats.lastRequests,
      itemsPerRead: this.readStats.lastItems,
      link: {
        key: `s7:${this.settings.host}:${this.settings.port}`,
        ...c.stats,
        pduSize: c.pduSize,
        utilisation: uptime > 0 ? Math.min(1, c.stats.busyMs / uptime) : 0,
      },
    };
  }

  private compile(tag: TagConfig): CompiledTag {
    const address = parseS7Address(tagAddress(tag));
    const type = (tag.type ?? 'bool') as S7Type;
    const decode = compileDecoder({
      type,
      bit: address.bit,
      length: tag.length,
      scale: tag.scale,
      offset: tag.offset,
    });
    return { address, type, bytes: byteSize(type, tag.length), decode };
  }

  private planFor(group: GroupConfig, pduSize: number): GroupPlan {
    let plan = this.plans.get(group);
    if (!plan || plan.pduSize !== pduSize) {
      const tags = plan?.tags ?? group.tags.map((t) => this.compile(t));
      const items: PlanTag[] = tags.map((t, index) => ({
        index,
        area: t.address.area,
        db: t.address.db,
        start: t.address.start,
        bytes: t.bytes,
      }));
      const limits = { pduSize, maxGap: DEFAULT_MAX_GAP, maxItems: DEFAULT_MAX_ITEMS };
      plan = { tags, plan: planS7Reads(items, limits), pduSize };
      this.plans.set(group, plan);
    }
    return plan;
  }

  async read(group: GroupConfig): Promise<TagValue[]> {
    const connection = this.connection;
    if (!connection?.isOpen) {
      const now = Date.now();
      return group.tags.map(() => badValue('disconnected', now));
    }
    const { tags, plan } = this.planFor(group, connection.pduSize);
    const buffers = plan.chunks.map((c) => Buffer.alloc(c.bytes));
    /** Per chunk, the failed byte ranges and their error code. */
    const failures = plan.chunks.map((): Array<{ from: number; to: number; code: string }> => []);
    for (const pieces of plan.requests) {
      await this.readPieces(connection, plan, pieces, buffers, failures);
    }
    this.readStats.lastRequests = plan.requests.length;
    this.readStats.lastItems = plan.requests.reduce((n, r) => n + r.length, 0);

    const now = Date.now();
    const out: TagValue[] = new Array(tags.length);
    plan.chunks.forEach((chunk, c) => {
      const data = buffers[c] as Buffer;
      const failed = failures[c] ?? [];
      for (const item of chunk.tags) {
        const at = item.start - chunk.start;
        const failure = failed.find((f) => f.from < at + item.bytes && at < f.to);
        if (failure) {
          out[item.index] = badValue(failure.code, now);
          continue;
        }
        try {
          out[item.index] = goodValue((tags[item.index] as CompiledTag).decode(data, at), now);
        } catch (err) {
          out[item.index] = badValue(err instanceof GatewayError ? err.code : 'bad-response', now);
        }
      }
    });
    return out;
  }

  private async readPieces(
    connection: S7Connection,
    plan: ReadPlan,
    pieces: Piece[],
    buffers: Buffer[],
    failures: Array<Array<{ from: number; to: number; code: string }>>,
  ): Promise<void> {
    const specs = pieces.map((p) => pieceSpec(plan, p));
    const fail = (piece: Piece, code: string) =>
      failures[piece.chunk]?.push({ from: piece.offset, to: piece.offset + piece.bytes, code });
    try {
      const ack = await connection.request((ref) => readRequest(ref, specs));
      if (ack.errorClass !== 0 || ack.errorCode !== 0) throw jobError(ack.errorClass, ack.errorCode);
      const results = parseReadResponse(ack, specs);
      results.forEach((result, i) => {
        const piece = pieces[i] as Piece;
        if (result.ok) result.data.copy(buffers[piece.chunk] as Buffer, piece.offset);
        else fail(piece, itemError(result.returnCode, describe(specs[i] as ItemSpec)).code);
      });
    } catch (err) {
      const code = err instanceof GatewayError ? err.code : 'bad-response';
      for (const piece of pieces) fail(piece, code);
    }
  }

  async write(tag: TagConfig, value: unknown): Promise<void> {
    const t = this.compile(tag);
    if (t.address.area === 'I') throw new GatewayError('read-only', `${tag.address} is a process input`);
    // Every check happens before the first byte goes out.
    const data = encodeWrite(value, {
      name: tag.name,
      type: t.type,
      scale: tag.scale,
      offset: tag.offset,
      length: tag.length,
    });
    const connection = this.connection;
    if (!connection?.isOpen) throw new GatewayError('not-connected', 'the PLC is not connected');
    const { area, db, start, bit } = t.address;
    // A STRING is written from its actual-length byte on; the PLC's maximum-length byte stays.
    const spec: ItemSpec =
      t.type === 'string'
        ? { area, db, start: start + 1, bytes: data.length }
        : { area, db, start, bytes: data.length, bit: t.type === 'bool' ? (bit ?? 0) : undefined };
    if (data.length > connection.pduSize - 28) {
      throw new GatewayError('out-of-range', `${data.length} bytes do not fit one request (PDU ${connection.pduSize})`);
    }
    const ack = await connection.request((ref) => writeRequest(ref, [{ spec, data }]));
    if (ack.errorClass !== 0 || ack.errorCode !== 0) throw jobError(ack.errorClass, ack.errorCode);
    let codes: number[];
    try {
      codes = parseWriteResponse(ack, 1);
    } catch (err) {
      throw new GatewayError('bad-response', (err as Error).message);
    }
    const code = codes[0] as number;
    if (code !== ITEM_OK) throw itemError(code, `write to ${tag.address}`);
  }
}

function describe(spec: ItemSpec): string {
  const where = spec.area === 'DB' ? `DB${spec.db}` : spec.area;
  return `${where} bytes ${spec.start}..${spec.start + spec.bytes - 1}`;
}
