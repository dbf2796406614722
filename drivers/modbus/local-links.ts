import { readBlocksInOrder } from './block-reads.js';
import { type LinkOptions, type LinkUser, linkPool, type ModbusLink, type Transport } from './link.js';
import { type RequestOptions, readArea, writeCoils, writeRegisters } from './requests.js';
import type { AreaRange, BlockAnswer, UnitLink, UnitLinkSource } from './unit-link.js';

/** A link in this thread: the shared ModbusLink itself. */
class LocalUnitLink implements UnitLink {
  constructor(private readonly link: ModbusLink) {}

  get key(): string {
    return this.link.key;
  }

  get isOpen(): boolean {
    return this.link.isOpen;
  }

  open(): Promise<void> {
    return this.link.open();
  }

  detach(user: LinkUser): Promise<void> {
    return this.link.detach(user);
  }

  snapshot(): Record<string, number | string> {
    return this.link.snapshot();
  }

  readBlocks(opts: RequestOptions, blocks: readonly AreaRange[], deadline: number): Promise<BlockAnswer[]> {
    return readBlocksInOrder(this.link, opts, blocks, deadline);
  }

  read(opts: RequestOptions, block: AreaRange, deadline: number): Promise<Buffer> {
    return readArea(this.link, opts, block.area, block.start, block.count, deadline);
  }

  writeRegisters(opts: RequestOptions, start: number, values: number[]): Promise<void> {
    return writeRegisters(this.link, opts, start, values);
  }

  writeCoils(opts: RequestOptions, start: number, values: boolean[]): Promise<void> {
    return writeCoils(this.link, opts, start, values);
  }
}

/** Links in this thread, shared by transport key through the process's pool. */
export class LocalLinks implements UnitLinkSource {
  acquire(transport: Transport, options: LinkOptions, user: LinkUser): UnitLink {
    return new LocalUnitLink(linkPool.acquire(transport, options, user));
  }
}
