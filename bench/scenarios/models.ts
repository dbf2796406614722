/**
 * Models at scale (SPEC §3.6): 300 devices built from one model, 25 float32 tags each (7,500
 * tags), on a simulated Modbus TCP gateway serving unit ids 1–247 on two ports. Measures the
 * time until the API answers and until every device has read, the gateway's RSS, and how
 * much room the configuration takes in SQLite — compact (models) against the same 300
 * devices written out by hand.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinRegistry } from '../../app/builtin-plugins.js';
import { runningDevices, validateConfig } from '../../core/config/validate.js';
import { saveConfig } from '../../core/store/config-store.js';
import { openDb } from '../../core/store/db.js';
import { peerScript } from '../env.js';
import { GatewayProcess } from '../lib/gateway-process.js';
import { LOOPBACK, sleep } from '../lib/net.js';
import { Peer } from '../lib/peer.js';
import { sampleProc } from '../lib/proc-stats.js';
import { round } from '../lib/watch.js';

export const MODELS_ID = 'models-300';
const DEVICES = 300;
const TAGS = 25;
const UNITS_PER_PORT = 247;

export interface ModelsResult {
  id: string;
  devices: number;
  tags: number;
  /** Process start until the HTTP API answers. */
  startupMs: number;
  /** Process start until every device has read at least once. */
  allReadingMs: number;
  rssMb: { afterStart: number; allReading: number; after10s: number };
  /** Bytes of the SQLite database holding only the configuration (after VACUUM). */
  configDbBytes: { compact: number; expanded: number };
  /** The configuration document as JSON. */
  configJsonBytes: { compact: number; expanded: number };
}

function modelsConfig(ports: number[]): Record<string, unknown> {
  return {
    gateway: { id: 'bench', uns: 'bench/models', http: { host: LOOPBACK, port: 0 } },
    models: [
      {
        name: 'meter',
        description: 'Power meter, 25 values',
        driver: 'modbus-tcp',
        params: ['hall'],
        settings: { host: LOOPBACK, timeoutMs: 1000, retries: 0 },
        groups: [
          {
            name: 'fast',
            intervalMs: 1000,
            tags: Array.from({ length: TAGS }, (_, i) => ({
              name: `v${i}`,
              address: `hr:${2 * i}`,
              type: 'float32',
              unit: 'V',
            })),
          },
        ],
      },
    ],
    devices: Array.from({ length: DEVICES }, (_, i) => ({
      name: `meter-${i + 1}`,
      model: 'meter',
      uns: `\${hall}/meter-${i + 1}`,
      settings: { port: ports[Math.floor(i / UNITS_PER_PORT)], unitId: (i % UNITS_PER_PORT) + 1 },
      params: { hall: `hall${(i % 4) + 1}` },
    })),
    north: [],
  };
}

/** The database bytes of `doc` stored as the gateway stores it (configuration only). */
function storedBytes(doc: unknown): number {
  const dir = mkdtempSync(join(tmpdir(), 'tagwire-bench-models-'));
  try {
    const db = openDb(dir);
    const checked = validateConfig(doc, builtinRegistry());
    if (!checked.ok) throw new Error(checked.errors.slice(0, 5).join('\n'));
    saveConfig(db, checked.config);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.exec('VACUUM');
    db.close();
    return statSync(join(dir, 'tagwire.db')).size;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function expandedDoc(doc: Record<string, unknown>): Record<string, unknown> {
  const checked = validateConfig(doc, builtinRegistry());
  if (!checked.ok) throw new Error(checked.errors.slice(0, 5).join('\n'));
  const devices = runningDevices(checked.config).map(({ model: _m, params: _p, ...d }) => d);
  return { ...doc, models: [], devices };
}

export async function runModels(): Promise<ModelsResult> {
  const { peer, info } = await Peer.start<{ ports: number[] }>('modbus-units', peerScript('modbus-units'), [
    String(Math.ceil(DEVICES / UNITS_PER_PORT)),
  ]);
  try {
    const doc = modelsConfig(info.ports);
    const expanded = expandedDoc(doc);
    const { gateway, startupMs } = await GatewayProcess.start(doc);
    try {
      const afterStart = sampleProc(gateway.pid)?.rssMb ?? Number.NaN;
      let allReadingMs = Number.NaN;
      const deadline = performance.now() + 60_000;
      while (performance.now() < deadline) {
        const status = await gateway.status();
        if (status.devices.length === DEVICES && status.devices.every((d) => d.counters.reads > 0)) {
          allReadingMs = performance.now() - gateway.startedAt;
          break;
        }
        await sleep(100);
      }
      const allReading = sampleProc(gateway.pid)?.rssMb ?? Number.NaN;
      await sleep(10_000);
      const after10s = sampleProc(gateway.pid)?.rssMb ?? Number.NaN;
      return {
        id: MODELS_ID,
        devices: DEVICES,
        tags: DEVICES * TAGS,
        startupMs: round(startupMs),
        allReadingMs: round(allReadingMs),
        rssMb: { afterStart: round(afterStart, 1), allReading: round(allReading, 1), after10s: round(after10s, 1) },
        configDbBytes: { compact: storedBytes(doc), expanded: storedBytes(expanded) },
        configJsonBytes: { compact: JSON.stringify(doc).length, expanded: JSON.stringify(expanded).length },
      };
    } finally {
      await gateway.stop();
    }
  } finally {
    await peer.stop();
  }
}
