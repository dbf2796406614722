import type { Logger } from 'pino';

/** Where a link's frames are written and read: the socket (TCP) or modbus-serial's port. */
export interface FrameEnds {
  write(data: Buffer, ...rest: unknown[]): unknown;
  on(event: 'data', listener: (data: Buffer) => void): unknown;
}

/** The logger of the device a frame belongs to, found by its unit id (undefined: nobody traces it). */
export type FrameLogFor = (unitId: number) => Logger | undefined;

/**
 * Logs every frame on a link in hex at trace level, as the bytes go on the wire (TCP: with
 * the MBAP header), under the device whose unit id it carries. Costs one level check per
 * frame while trace is off.
 */
export function traceFrames(ends: FrameEnds, framing: 'mbap' | 'rtu', logFor: FrameLogFor): void {
  const unitOf = (frame: Buffer) => (framing === 'mbap' ? frame[6] : frame[0]);
  const log = (direction: 'tx' | 'rx', frame: Buffer) => {
    const unit = unitOf(frame);
    const logger = unit === undefined ? undefined : logFor(unit);
    if (logger?.isLevelEnabled('trace')) logger.trace({ frame: direction, hex: frame.toString('hex') }, 'modbus frame');
  };
  const write = ends.write.bind(ends);
  ends.write = (data: Buffer, ...rest: unknown[]) => {
    log('tx', data);
    return write(data, ...rest);
  };
  ends.on('data', (data) => log('rx', data));
}
