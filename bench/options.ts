/** Command line of `npm run bench`. */
export interface BenchOptions {
  quick: boolean;
  /** Minutes of the memory run at 10k tags/s. */
  soakMinutes: number;
  /** Only scenarios whose id starts with one of these (all when empty). */
  only: string[];
  skip100k: boolean;
  /** Run the gateway with --cpu-prof, profiles under bench/results/profiles/. */
  cpuProf: boolean;
  /** More node options for the gateway process (e.g. V8 heap flags to compare). */
  gatewayNodeArgs: string[];
  /** Start the gateway as `node cli.js`, without the service's node options and environment. */
  plainLaunch: boolean;
}

export const USAGE = `usage: npm run bench -- [--quick] [--soak MINUTES] [--only ID[,ID…]] [--skip-100k]
  --quick       a ~2-minute subset
  --soak N      memory run of N minutes at 10k tags/s (default 1; 0.25 with --quick)
  --only IDS    only scenarios whose id starts with one of IDS (limits, uns-, group-, lat-, memory, rtu, s7, models,
                alarms, compute, micro; memory-empty and memory-idle-100k: gateways at rest)
  --skip-100k   leave out the 100k-tag scenarios
  --cpu-prof    profile the gateway process (node --cpu-prof) into bench/results/profiles/
  --gateway-node-args "ARGS"  more node options for the gateway process, space-separated
  --plain-launch  start the gateway as plain \`node cli.js\`, not with the node options and environment
                of systemd/tagwire.service (the default)`;

export function parseOptions(argv: string[]): BenchOptions {
  const options: BenchOptions = {
    quick: false,
    soakMinutes: Number.NaN,
    only: [],
    skip100k: false,
    cpuProf: false,
    gatewayNodeArgs: [],
    plainLaunch: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') options.quick = true;
    else if (a === '--skip-100k') options.skip100k = true;
    else if (a === '--cpu-prof') options.cpuProf = true;
    else if (a === '--plain-launch') options.plainLaunch = true;
    else if (a === '--gateway-node-args') options.gatewayNodeArgs = (argv[++i] ?? '').split(' ').filter(Boolean);
    else if (a === '--soak') options.soakMinutes = Number(argv[++i]);
    else if (a === '--only') options.only = (argv[++i] ?? '').split(',').filter(Boolean);
    else if (a === '--help' || a === '-h') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else {
      process.stderr.write(`unknown option ${a}\n${USAGE}\n`);
      process.exit(2);
    }
  }
  if (Number.isNaN(options.soakMinutes)) options.soakMinutes = options.quick ? 0.25 : 1;
  if (!(options.soakMinutes > 0)) {
    process.stderr.write('--soak needs a number of minutes > 0\n');
    process.exit(2);
  }
  return options;
}

export function selected(options: BenchOptions, id: string): boolean {
  return options.only.length === 0 || options.only.some((p) => id.startsWith(p));
}
