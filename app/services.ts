import type { Logger } from 'pino';
import type { Config } from '../core/config/schema.js';
import { errorMessage } from '../core/errors.js';
import type { RuntimeService } from '../core/runtime.js';
import { stableStringify } from '../core/stable-json.js';
import type { RunningModbusSimulator } from '../simulators/run-modbus.js';
import type { EmbeddedBroker } from './broker.js';
import { DEMO_HOST } from './demo.js';

/** The embedded MQTT broker (`gateway.broker`), restarted when its settings change. */
export function embeddedBrokerService(log: Logger): RuntimeService {
  let broker: EmbeddedBroker | undefined;
  const start = async (config: Config) => {
    if (!config.gateway.broker.enabled) return;
    // aedes is loaded only when the embedded broker is enabled.
    const { EmbeddedBroker } = await import('./broker.js');
    const candidate = new EmbeddedBroker(config.gateway.broker, log.child({ component: 'broker' }));
    if (await candidate.start()) broker = candidate;
  };
  const stop = async () => {
    await broker?.stop();
    broker = undefined;
  };
  return {
    start,
    async configChanged(previous, next) {
      if (stableStringify(previous.gateway.broker) === stableStringify(next.gateway.broker)) return;
      await stop();
      await start(next);
    },
    stop,
  };
}

/** The demo's simulated Modbus PLC on a loopback port; a failure to start is logged, not fatal. */
export function demoPlcService(port: number, log: Logger): RuntimeService {
  let simulator: RunningModbusSimulator | undefined;
  return {
    async start() {
      try {
        // Loaded only for the demo: the simulator pulls in serialport.
        const { runModbusSimulator } = await import('../simulators/run-modbus.js');
        simulator = await runModbusSimulator({ host: DEMO_HOST, port, log: (msg) => log.info(`demo: ${msg}`) });
      } catch (err) {
        log.error(`demo: simulated PLC not started: ${errorMessage(err)}`);
      }
    },
    async stop() {
      await simulator?.close();
      simulator = undefined;
    },
  };
}
