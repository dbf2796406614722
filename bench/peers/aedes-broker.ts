/** Peer: tagwire's embedded broker (aedes) on a free loopback port, for machines without mosquitto. */
import { EmbeddedBroker } from '../../app/broker.js';
import { silentLogger } from '../../core/log.js';
import { freePort, LOOPBACK } from '../lib/net.js';
import { servePeer } from '../lib/peer-host.js';

const port = await freePort();
const broker = new EmbeddedBroker({ enabled: true, host: LOOPBACK, port }, silentLogger());
if (!(await broker.start())) {
  process.stderr.write(`embedded broker could not listen on ${port}\n`);
  process.exit(1);
}
servePeer({ port: broker.port }, {}, () => broker.stop());
