import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseServiceLaunch, serviceLaunch } from '../../../bench/lib/service-launch.js';

describe('the service launch the bench copies', () => {
  it('is read from systemd/tagwire.service: node options before cli.js, allocator settings', () => {
    const launch = serviceLaunch(false);
    const unit = readFileSync(new URL('../../../systemd/tagwire.service', import.meta.url), 'utf8');
    expect(unit).toContain(`ExecStart=/usr/bin/env node ${launch.nodeArgs.join(' ')} /opt/tagwire/dist/app/cli.js`);
    for (const [name, value] of Object.entries(launch.env)) expect(unit).toContain(`Environment=${name}=${value}`);
    expect(serviceLaunch(true)).toEqual({ nodeArgs: [], env: {} });
  });

  it('takes only the settings that shape the process, not tagwire settings', () => {
    const unit = [
      '[Service]',
      'ExecStart=/usr/bin/node --v8-pool-size=1 --max-old-space-size=200 /opt/x/dist/app/cli.js start --no-demo',
      'Environment=TAGWIRE_LOG_FORMAT=json',
      'Environment=MALLOC_ARENA_MAX=2',
      'Environment=GLIBC_TUNABLES=glibc.malloc.trim_threshold=131072',
    ].join('\n');
    expect(parseServiceLaunch(unit)).toEqual({
      nodeArgs: ['--v8-pool-size=1', '--max-old-space-size=200'],
      env: { MALLOC_ARENA_MAX: '2', GLIBC_TUNABLES: 'glibc.malloc.trim_threshold=131072' },
    });
  });

  it('refuses a unit that does not start node on cli.js', () => {
    expect(() => parseServiceLaunch('[Service]\nType=notify')).toThrow(/no ExecStart=/);
    expect(() => parseServiceLaunch('ExecStart=/opt/x/run.sh')).toThrow(/does not run node on cli.js/);
  });
});
