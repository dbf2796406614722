/**
 * Models through the command line (SPEC §2, §3.6): `import` of a file with a model and 300
 * devices built from it, `export` in the compact form, and an export/import round trip that
 * is byte-identical; `validate` reports an error inside a model once.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = join(ROOT, 'dist/app/cli.js');

let tmp: string;

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: tmp,
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, TAGWIRE_LOG_FORMAT: 'json', TAGWIRE_DATA_DIR: join(tmp, 'env-data') },
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function ok(args: string[]): string {
  const r = cli(args);
  if (r.status !== 0) throw new Error(`tagwire ${args.join(' ')} exited ${r.status}:\n${r.stderr}`);
  return r.stdout;
}

function meters(n: number): string {
  return Array.from(
    { length: n },
    (_, i) => `  - name: meter-${i + 1}
    model: pm5560
    uns: hall1/\${line}/meter-${i + 1}
    settings: { host: 10.0.${Math.floor(i / 247)}.1, unitId: ${(i % 247) + 1} }
    params: { line: L${(i % 3) + 1} }
`,
  ).join('');
}

const modelYaml = (address: string) => `gateway: { id: gw1, uns: acme }
models:
  - name: pm5560
    description: Power meter
    driver: modbus-tcp
    settings: { port: 502, byteOrder: CDAB }
    params: [line]
    groups:
      - name: fast
        intervalMs: 1000
        tags:
          - { name: voltage, address: "${address}", type: float32, unit: V }
          - { name: current, address: "hr:3000", type: float32, unit: A }
devices:
${meters(300)}north: []
`;

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'tagwire-models-cli-'));
});

afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

describe('models on the command line', () => {
  it('imports and exports the compact form; export → import → export is byte-identical', { timeout: 60_000 }, () => {
    const file = join(tmp, 'meters.yaml');
    writeFileSync(file, modelYaml('hr:3027'));
    expect(ok(['validate', file])).toContain('300 devices, 600 tags');
    const data = join(tmp, 'data');
    ok(['import', file, '--data', data]);
    const first = ok(['export', '--data', data]);
    expect(first).toContain('models:\n  - name: pm5560');
    expect(first).toContain('    model: pm5560\n');
    // Compact: the model's tags appear once, not once per device.
    expect(first.match(/name: voltage/g)).toHaveLength(1);
    expect(first).toContain('uns: hall1/${line}/meter-7');

    const exported = join(tmp, 'exported.yaml');
    writeFileSync(exported, first);
    const data2 = join(tmp, 'data2');
    ok(['import', exported, '--data', data2]);
    expect(ok(['export', '--data', data2])).toBe(first);
    const json = ok(['export', '--data', data2, '--format', 'json']);
    const jsonFile = join(tmp, 'exported.json');
    writeFileSync(jsonFile, json);
    const data3 = join(tmp, 'data3');
    ok(['import', jsonFile, '--data', data3]);
    expect(ok(['export', '--data', data3, '--format', 'json'])).toBe(json);
  });

  it('validate names an error inside a model once, with the number of devices using it', { timeout: 30_000 }, () => {
    const file = join(tmp, 'bad.yaml');
    writeFileSync(file, modelYaml('hr:99999'));
    const r = cli(['validate', file]);
    expect(r.status).toBe(1);
    const lines = r.stderr.split('\n').filter((l) => l.includes('99999'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('models[0].groups[0].tags[0].address');
    expect(lines[0]).toContain('(model pm5560, used by 300 devices)');
  });
});
