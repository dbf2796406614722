/**
 * A model over OPC UA (SPEC §3.6): one filler definition, one device per line, told apart by
 * `${line}` in the node ids (`ns=1;s=${line}.Filler.Speed`), against the OPC UA simulator
 * serving identical fillers on several lines.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { OpcuaSimulator } from '../../simulators/opcua-server.js';
import { freePort } from '../helpers/mosquitto.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';

const LINES = ['L1', 'L2', 'L3'];
let gw: TestGateway;
let sim: OpcuaSimulator;
let simDir: string;

beforeAll(async () => {
  simDir = mkdtempSync(join(tmpdir(), 'tagwire-models-opcua-'));
  sim = new OpcuaSimulator({ port: await freePort(), pkiDir: join(simDir, 'pki'), lines: LINES });
  const { endpointUrl } = await sim.start();
  gw = await startTestGateway({
    gateway: { id: 'fillers', uns: 'plant' },
    models: [
      {
        name: 'filler',
        driver: 'opcua',
        params: ['line'],
        settings: { endpointUrl, securityMode: 'None', securityPolicy: 'None' },
        groups: [
          {
            name: 'main',
            intervalMs: 200,
            tags: [
              { name: 'speed', address: 'ns=1;s=${line}.Filler.Speed', unit: 'bpm' },
              { name: 'count', address: 'ns=1;s=${line}.Filler.Count' },
            ],
          },
        ],
      },
    ],
    devices: LINES.map((line) => ({
      name: `filler-${line}`,
      model: 'filler',
      uns: '${line}/filler',
      params: { line },
    })),
  });
}, 120_000);

afterAll(async () => {
  await gw?.close();
  await sim?.stop();
  if (simDir) rmSync(simDir, { recursive: true, force: true });
}, 30_000);

describe('a model over OPC UA with per-line node ids', () => {
  it('reads each line’s own nodes through the one definition', { timeout: 60_000 }, async () => {
    await vi.waitFor(
      () => {
        const values = gw.runtime.gateway.values();
        for (const [i, line] of LINES.entries()) {
          expect(values.find((v) => v.topic === `plant/${line}/filler/speed`)).toMatchObject({
            value: 100 * (i + 1),
            quality: 'good',
          });
          expect(values.find((v) => v.topic === `plant/${line}/filler/count`)).toMatchObject({ value: i + 1 });
        }
      },
      { timeout: 45_000, interval: 250 },
    );
    const status = gw.runtime.gateway.status().devices.find((d) => d.name === 'filler-L2');
    expect(status).toMatchObject({ model: 'filler', driver: 'opcua', state: 'connected' });
  });
});
