/**
 * A plugin is one folder and one registration line: the test-only north plugin `jsonl-file`
 * (test/fixtures/plugins/jsonl-file) runs end to end — the simulated Modbus PLC over TCP →
 * the gateway → lines in a file — and shows in /api/v1/schema and /api/v1/status like a
 * built-in plugin, without a change to the core, the web server or the UI.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { builtinRegistry } from '../../app/builtin-plugins.js';
import { validateConfig } from '../../core/config/validate.js';
import type { SchemaDocument } from '../../core/schema-document.js';
import type { GatewayStatusPayload } from '../../core/status-payload.js';
import { createDemoModel } from '../../simulators/demo-plc.js';
import { ModbusTcpSimulator } from '../../simulators/modbus-tcp-server.js';
import { testRegistry } from '../fixtures/plugins/registry.js';
import { simulatedPlc, startTestGateway, type TestGateway } from '../helpers/test-gateway.js';

const demo = createDemoModel();
const sim = new ModbusTcpSimulator(demo.model, { port: 0 });
let gw: TestGateway;
let viewer: Record<string, string>;
let fileDir: string;
let file: string;

function configDoc(port: number, path: string) {
  return {
    gateway: { id: 'gw-plugins', uns: 'plant' },
    devices: [
      simulatedPlc(port, [
        {
          name: 'main',
          intervalMs: 200,
          publish: 'always',
          tags: [
            { name: 'speed', address: 'hr:2', type: 'uint16' },
            { name: 'setpoint', address: 'hr:0', type: 'float32' },
            // The same temperature twice: word-swapped at ir:20, read with the Modbus tag field byteOrder.
            { name: 'temperature', address: 'ir:0', type: 'float32' },
            { name: 'temperature-swapped', address: 'ir:20', type: 'float32', byteOrder: 'CDAB' },
          ],
        },
      ]),
    ],
    north: [{ name: 'file', plugin: 'jsonl-file', settings: { path } }],
  };
}

interface Line {
  device: string;
  tag: string;
  topic: string;
  value: unknown;
  quality: string;
  timestamp: number;
}

const lines = (): Line[] =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Line)
    : [];
const last = (tag: string) => lines().findLast((l) => l.tag === tag);

beforeAll(async () => {
  demo.start();
  const { port } = await sim.listen();
  fileDir = mkdtempSync(join(tmpdir(), 'tagwire-jsonl-'));
  file = join(fileDir, 'values.jsonl');
  gw = await startTestGateway(configDoc(port, file), {
    registry: testRegistry(),
    users: { viewer: ['plugin viewer password', 'viewer'] },
  });
  viewer = await gw.login('viewer', 'plugin viewer password');
});

afterAll(async () => {
  await gw?.close();
  demo.stop();
  await sim.close();
  rmSync(fileDir, { recursive: true, force: true });
});

/** Waits generously: the machine is shared, nothing here depends on tight timing. */
const eventually = (check: () => void) => vi.waitFor(check, { timeout: 15_000, interval: 50 });

describe('a north plugin registered with one line', () => {
  it('is refused by a gateway that has not registered it', () => {
    const result = validateConfig(configDoc(502, '/tmp/x.jsonl'), builtinRegistry());
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors[0]).toMatch(/^north\[0\]\.plugin: plugin "jsonl-file" is not available/);
  });

  it('writes the PLC values it gets from the core to its file', async () => {
    await eventually(() => {
      expect(last('speed')).toMatchObject({ device: 'plc', topic: 'plant/plc/speed', value: 1500, quality: 'good' });
      expect(last('setpoint')).toMatchObject({ value: 22.5, quality: 'good' });
    });
    // A driver's own tag field (Modbus byteOrder) reaches the decoder: both read the same temperature.
    await eventually(() => {
      const plain = last('temperature')?.value as number;
      const swapped = last('temperature-swapped')?.value as number;
      expect(plain).toBeGreaterThanOrEqual(19.9);
      expect(plain).toBeLessThanOrEqual(25.1);
      expect(Math.abs(swapped - plain)).toBeLessThan(0.5);
    });
  });

  it('appears in /api/v1/schema with its settings schema', async () => {
    const res = await gw.app.inject({ method: 'GET', url: '/api/v1/schema', headers: viewer });
    expect(res.statusCode).toBe(200);
    const doc = res.json() as SchemaDocument<{ properties?: Record<string, unknown>; required?: string[] }>;
    expect(doc.north['jsonl-file']).toMatchObject({
      title: 'JSON lines file (test plugin)',
      apiVersion: 1,
      probe: false,
    });
    expect(doc.north['jsonl-file']?.settings.required).toEqual(['path']);
    // Built-in drivers describe themselves the same way: capabilities, their tag fields, address help.
    expect(doc.drivers['modbus-tcp']).toMatchObject({
      capabilities: { decodeLab: true, browse: false, testRead: true, writes: true },
      tag: { properties: { byteOrder: {} } },
    });
    expect(doc.drivers.opcua?.capabilities).toMatchObject({ browse: true, decodeLab: false, certificates: true });
    expect(doc.drivers.opcua?.tag).not.toHaveProperty('properties.byteOrder');
    expect(doc.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ code: 'modbus-exception-', prefix: true, httpStatus: 502 })]),
    );
  });

  it('appears in /api/v1/status with its state and counters', async () => {
    const res = await gw.app.inject({ method: 'GET', url: '/api/v1/status', headers: viewer });
    expect(res.statusCode).toBe(200);
    const app = (res.json() as GatewayStatusPayload).north.find((n) => n.name === 'file');
    expect(app).toMatchObject({ plugin: 'jsonl-file', state: 'connected' });
    expect(app?.counters.published).toBeGreaterThan(0);
    // The file only grows after the status was taken.
    expect(lines().length).toBeGreaterThanOrEqual(app?.counters.published ?? Number.POSITIVE_INFINITY);
  });
});
