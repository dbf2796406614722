import { describe, expect, it } from 'vitest';
import {
  deviceStatusTopic,
  deviceTopic,
  gatewayStatusTopic,
  groupTopic,
  joinTopic,
  SET_RESULT_SUFFIX,
  SET_SUFFIX,
  tagTopic,
} from '../../../core/uns.js';

describe('UNS topics (SPEC §4)', () => {
  it('joins gateway.uns and device.uns into the device topic', () => {
    expect(deviceTopic({ uns: 'acme/dallas' }, { name: 'filler1', uns: 'packaging/line3/filler1' })).toBe(
      'acme/dallas/packaging/line3/filler1',
    );
  });

  it('uses the device name when the device has no uns', () => {
    expect(deviceTopic({ uns: 'acme/dallas' }, { name: 'filler1' })).toBe('acme/dallas/filler1');
    expect(deviceTopic({ uns: '' }, { name: 'filler1' })).toBe('filler1');
  });

  it('drops an empty gateway.uns', () => {
    expect(deviceTopic({ uns: '' }, { name: 'filler1', uns: 'line3/filler1' })).toBe('line3/filler1');
  });

  it('drops an empty device uns (the device sits at the gateway prefix)', () => {
    expect(deviceTopic({ uns: 'acme' }, { name: 'filler1', uns: '' })).toBe('acme');
    expect(deviceTopic({ uns: '' }, { name: 'filler1', uns: '' })).toBe('');
  });

  it('appends the tag name, with its levels, to the device topic', () => {
    expect(tagTopic('acme/dallas/filler1', 'motor/speed')).toBe('acme/dallas/filler1/motor/speed');
    expect(tagTopic('acme/dallas/filler1', 'a/b/c')).toBe('acme/dallas/filler1/a/b/c');
    expect(tagTopic('', 'motor/speed')).toBe('motor/speed');
    const topic = tagTopic(deviceTopic({ uns: '' }, { name: 'd', uns: '' }), 'temp');
    expect(topic).toBe('temp');
  });

  it('builds the device status and group topics', () => {
    expect(deviceStatusTopic('acme/dallas/filler1')).toBe('acme/dallas/filler1/_status');
    expect(deviceStatusTopic('')).toBe('_status');
    expect(groupTopic('acme/dallas/filler1', 'fast')).toBe('acme/dallas/filler1/_group/fast');
  });

  it('builds the gateway status topic under gateway.uns', () => {
    expect(gatewayStatusTopic({ uns: 'acme/dallas', id: 'gw1' })).toBe('acme/dallas/_gateway/gw1');
    expect(gatewayStatusTopic({ uns: '', id: 'gw1' })).toBe('_gateway/gw1');
  });

  it('has the write request and result suffixes of SPEC §4', () => {
    const tag = tagTopic('acme/filler1', 'motor/speed');
    expect(tag + SET_SUFFIX).toBe('acme/filler1/motor/speed/_set');
    expect(tag + SET_RESULT_SUFFIX).toBe('acme/filler1/motor/speed/_set/result');
  });

  it('joinTopic skips empty and missing parts', () => {
    expect(joinTopic('', 'a', undefined, 'b/c', '')).toBe('a/b/c');
    expect(joinTopic()).toBe('');
  });
});
