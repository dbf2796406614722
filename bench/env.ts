/** The peers every scenario shares: broker, simulated Modbus TCP device, subscriber. */
import { type Broker, startBroker } from './lib/broker.js';
import { Peer } from './lib/peer.js';

export interface Env {
  broker: Broker;
  /** The simulated Modbus TCP device(s). */
  server: Peer;
  subscriber: Peer;
}

const peerScript = (name: string) => new URL(`./peers/${name}.js`, import.meta.url);

export async function startEnv(): Promise<Env> {
  const broker = await startBroker();
  const { peer: server } = await Peer.start('modbus-server', peerScript('modbus-server'), []);
  const { peer: subscriber } = await Peer.start('subscriber', peerScript('subscriber'), [broker.url]);
  return { broker, server, subscriber };
}

export async function stopEnv(env: Env): Promise<void> {
  await env.subscriber.stop();
  await env.server.stop();
  await env.broker.stop();
}

export { peerScript };
