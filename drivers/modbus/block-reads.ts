import { GatewayError } from '../../core/errors.js';
import type { ModbusLink } from './link.js';
import { type RequestOptions, readArea, requestError } from './requests.js';
import type { AreaRange, BlockAnswer } from './unit-link.js';
import { isGatewayNoAnswer } from './unit-silence.js';

/**
 * Reads blocks one after another on a link; each answer is the data or the error. After a
 * gateway's no-answer exception the remaining blocks are not sent and get the same code.
 */
export async function readBlocksInOrder(
  link: ModbusLink,
  opts: RequestOptions,
  blocks: readonly AreaRange[],
  deadline: number,
): Promise<BlockAnswer[]> {
  const answers: BlockAnswer[] = new Array(blocks.length);
  let gatewayNoAnswer: GatewayError | undefined;
  for (let k = 0; k < blocks.length; k++) {
    const block = blocks[k] as AreaRange;
    if (gatewayNoAnswer) {
      answers[k] = new GatewayError(gatewayNoAnswer.code, `not sent: ${gatewayNoAnswer.message}`);
      continue;
    }
    try {
      answers[k] = await readArea(link, opts, block.area, block.start, block.count, deadline);
    } catch (raw) {
      const err = requestError(raw);
      answers[k] = err;
      if (isGatewayNoAnswer(err.code)) gatewayNoAnswer = err;
    }
  }
  return answers;
}
