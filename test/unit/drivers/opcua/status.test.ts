import { StatusCode, StatusCodes } from 'node-opcua';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../../core/errors.js';
import { requestErrorCode, statusError, statusName, statusQuality } from '../../../../drivers/opcua/status.js';

describe('OPC UA status codes', () => {
  it('maps severity to quality: Good → good, Uncertain → uncertain, Bad → bad', () => {
    expect(statusQuality(StatusCodes.Good)).toBe('good');
    expect(statusQuality(StatusCodes.GoodClamped)).toBe('good');
    expect(statusQuality(StatusCodes.UncertainInitialValue)).toBe('uncertain');
    expect(statusQuality(StatusCodes.UncertainLastUsableValue)).toBe('uncertain');
    expect(statusQuality(StatusCodes.BadNodeIdUnknown)).toBe('bad');
    expect(statusQuality(StatusCodes.BadCommunicationError)).toBe('bad');
    expect(statusQuality(0xc0000000)).toBe('bad');
  });

  it('names the code without its info bits, as the stable error opcua-<name>', () => {
    expect(statusError(StatusCodes.BadNodeIdUnknown)).toBe('opcua-BadNodeIdUnknown');
    expect(statusError(StatusCodes.BadUserAccessDenied)).toBe('opcua-BadUserAccessDenied');
    expect(statusName(StatusCode.makeStatusCode(StatusCodes.Good, 'Overflow'))).toBe('Good');
    expect(statusName(StatusCodes.BadOutOfService.value | 0x480)).toBe('BadOutOfService');
    expect(statusQuality(StatusCode.makeStatusCode(StatusCodes.Good, 'Overflow'))).toBe('good');
  });

  it('keeps codes node-opcua does not know distinguishable', () => {
    expect(statusName(0x80ff0000)).toBe('0x80FF0000');
    expect(statusName(StatusCodes.Bad)).toBe('Bad');
  });

  it('maps a failed request to a stable code', () => {
    expect(requestErrorCode(new GatewayError('timeout', 'x'))).toBe('timeout');
    expect(requestErrorCode(new Error('Transaction has timed out ( timeout = 3000 ms)'))).toBe('timeout');
    expect(requestErrorCode(new Error('serviceResult = BadTooManyOperations (0x80100000)'))).toBe(
      'opcua-BadTooManyOperations',
    );
    expect(requestErrorCode(new Error('BadTimeout'))).toBe('timeout');
    expect(requestErrorCode(new Error('socket closed'))).toBe('disconnected');
  });
});
