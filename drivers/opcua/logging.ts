/**
 * node-opcua writes its warnings and errors straight to the console through one process-wide
 * hook (a rejected server certificate alone is dumped in base64 on every connect attempt).
 * `routeNodeOpcuaLogs(rootLogger)`, called once by the gateway, sends them to pino instead:
 * warnings at debug level, errors at warn. It does not load node-opcua; the hooks are set
 * when the driver loads it.
 */
import { format, stripVTControlCharacters } from 'node:util';
import type { Logger } from 'pino';

type Print = (...args: unknown[]) => void;
export interface NodeOpcuaLogHooks {
  setWarningLogger(fn: Print): void;
  setErrorLogger(fn: Print): void;
}

let target: Logger | undefined;
let hooks: NodeOpcuaLogHooks | undefined;

// node-opcua passes its call site first, then console.log-style arguments.
const text = (args: unknown[]) => stripVTControlCharacters(format(...args.slice(1))).trim();

function install(): void {
  const log = target;
  if (!log || !hooks) return;
  hooks.setWarningLogger((...args: unknown[]) => log.debug(text(args)));
  hooks.setErrorLogger((...args: unknown[]) => log.warn(text(args)));
}

export function routeNodeOpcuaLogs(log: Logger): void {
  target = log.child({ source: 'node-opcua' });
  install();
}

/** Called by the driver module with node-opcua's hooks once node-opcua is loaded. */
export function nodeOpcuaLoaded(h: NodeOpcuaLogHooks): void {
  hooks = h;
  install();
}
