/**
 * NCMD and DCMD (Sparkplug 3.0 §6.4.x). Sparkplug has no reply channel: a refused write is
 * logged and counted, and the host sees the tag's value unchanged in the next DDATA/DBIRTH.
 */
import { errorCode, errorMessage } from '../../core/errors.js';
import type { NorthContext } from '../../core/plugin.js';
import { decodePayload, type ReceivedPayload } from './codec.js';
import type { EdgeNode } from './edge-node.js';

export interface CommandCounters {
  commands: number;
  writes: number;
  writeErrors: number;
}

export class CommandHandler {
  readonly counters: CommandCounters = { commands: 0, writes: 0, writeErrors: 0 };

  constructor(
    private readonly node: EdgeNode,
    private readonly ctx: Pick<NorthContext, 'write' | 'log'>,
  ) {}

  /** NCMD: only Node Control/Rebirth is supported. */
  nodeCommand(payload: Buffer): void {
    const command = this.decode(payload, 'NCMD');
    if (!command) return;
    for (const metric of command.metrics) {
      if (this.node.isRebirthRequest(metric)) {
        this.ctx.log.info('rebirth requested (NCMD Node Control/Rebirth)');
        this.node.rebirth();
      } else {
        this.ctx.log.warn({ metric: metric.name ?? metric.alias }, 'NCMD metric not supported; ignored');
      }
    }
  }

  /** DCMD: each metric (by name or alias) is written to its tag, in order, with the checks of any write. */
  async deviceCommand(device: string, payload: Buffer): Promise<void> {
    const command = this.decode(payload, 'DCMD');
    if (!command) return;
    for (const metric of command.metrics) {
      const tag = this.node.commandTarget(device, metric);
      const label = metric.name ?? `alias ${metric.alias}`;
      if (tag === undefined) {
        this.counters.writeErrors++;
        this.ctx.log.warn({ device, metric: label }, 'DCMD for a metric this device does not have; ignored');
        continue;
      }
      try {
        await this.ctx.write(device, tag, metric.value);
        this.counters.writes++;
      } catch (err) {
        this.counters.writeErrors++;
        this.ctx.log.warn({ device, tag, error: errorCode(err) }, `DCMD write refused: ${errorMessage(err)}`);
      }
    }
  }

  private decode(payload: Buffer, kind: string): ReceivedPayload | undefined {
    this.counters.commands++;
    try {
      return decodePayload(payload);
    } catch (err) {
      this.ctx.log.warn({ err: errorMessage(err) }, `${kind} is not a Sparkplug B payload; ignored`);
      return undefined;
    }
  }
}
