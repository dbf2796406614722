/** The RTU simulator on a real serial port (a USB adapter, or one end of a socat pty pair). */
import { SerialPort } from 'serialport';
import type { ModbusDataModel } from './modbus-model.js';
import { DEFAULT_INTER_FRAME_MS, ModbusRtuSimulator } from './modbus-rtu-server.js';

export type SerialParity = 'none' | 'even' | 'odd';

export interface RtuSerialOptions {
  /** e.g. /dev/ttyUSB0, /dev/pts/3, COM3 */
  path: string;
  /** Default 9600, 8 data bits, no parity, 1 stop bit (SPEC §3.1 defaults). */
  baudRate?: number;
  parity?: SerialParity;
  dataBits?: 7 | 8;
  stopBits?: 1 | 2;
  /** Override of the silence that ends a frame; default from the baud rate (interFrameMsFor). */
  interFrameMs?: number;
}

export interface RtuSerialSettings {
  baudRate: number;
  parity: SerialParity;
  dataBits: 7 | 8;
  stopBits: 1 | 2;
}

export interface RtuSerialServer {
  sim: ModbusRtuSimulator;
  close(): Promise<void>;
}

export function serialSettings(opts: Omit<RtuSerialOptions, 'path'>): RtuSerialSettings {
  return {
    baudRate: opts.baudRate ?? 9600,
    parity: opts.parity ?? 'none',
    dataBits: opts.dataBits ?? 8,
    stopBits: opts.stopBits ?? 1,
  };
}

/** "9600 8N1", as the settings are written on device labels. */
export function serialSettingsLabel(s: RtuSerialSettings): string {
  return `${s.baudRate} ${s.dataBits}${s.parity[0]?.toUpperCase() ?? 'N'}${s.stopBits}`;
}

/**
 * 3.5 character times, with the serial-line spec's fixed 1.75 ms above 19200 baud, but never
 * below DEFAULT_INTER_FRAME_MS: timers and USB adapters are not precise to the millisecond,
 * and cutting a request in two costs more than waiting a little longer after noise.
 */
export function interFrameMsFor(s: RtuSerialSettings): number {
  const bitsPerChar = 1 + s.dataBits + (s.parity === 'none' ? 0 : 1) + s.stopBits;
  const silenceMs = s.baudRate > 19200 ? 1.75 : (3.5 * bitsPerChar * 1000) / s.baudRate;
  return Math.max(DEFAULT_INTER_FRAME_MS, Math.ceil(silenceMs));
}

/** Opens the port and serves `model` on it; rejects, naming the port, when it cannot be opened. */
export async function serveRtuOnSerial(model: ModbusDataModel, opts: RtuSerialOptions): Promise<RtuSerialServer> {
  const settings = serialSettings(opts);
  const port = new SerialPort({ path: opts.path, ...settings, autoOpen: false });
  await new Promise<void>((resolve, reject) => {
    port.open((err) => {
      if (!err) resolve();
      else
        reject(new Error(`Modbus RTU simulator cannot open serial port ${opts.path}: ${err.message}`, { cause: err }));
    });
  });
  // A pulled adapter must not crash the host process; the port closes and the simulator goes quiet.
  port.on('error', () => {});
  const sim = new ModbusRtuSimulator(model, { interFrameMs: opts.interFrameMs ?? interFrameMsFor(settings) });
  sim.attach(port);
  return {
    sim,
    async close() {
      sim.detach();
      if (!port.isOpen) return;
      await new Promise<void>((resolve) => port.close(() => resolve()));
    },
  };
}
