import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { nodeOpcuaLoaded, routeNodeOpcuaLogs } from '../../../../drivers/opcua/logging.js';

describe("routing node-opcua's console output to pino", () => {
  it('sends warnings at debug and errors at warn, without colours, once both sides are known', () => {
    const lines: Array<{ level: number; msg: string; source: string }> = [];
    const log = pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line)) });
    let warn: (...args: unknown[]) => void = () => undefined;
    let error: (...args: unknown[]) => void = () => undefined;
    nodeOpcuaLoaded({ setWarningLogger: (fn) => (warn = fn), setErrorLogger: (fn) => (error = fn) });
    routeNodeOpcuaLogs(log);
    warn({ filename: 'x.js', callerline: 3 }, 'serverCertificate = %s', '\u001b[33mabc\u001b[39m');
    error({ filename: 'y.js', callerline: 9 }, 'INTERNAL ERROR', 42);
    expect(lines).toEqual([
      expect.objectContaining({ level: 20, source: 'node-opcua', msg: 'serverCertificate = abc' }),
      expect.objectContaining({ level: 40, source: 'node-opcua', msg: 'INTERNAL ERROR 42' }),
    ]);
  });
});
