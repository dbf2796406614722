import { describe, expect, it } from 'vitest';
import { parseNodeId, resolveAddress } from '../../../../drivers/opcua/nodeid.js';

describe('NodeId addresses', () => {
  it('accepts every NodeId form', () => {
    expect(parseNodeId('ns=2;s=Line1.Temp')).toEqual({ namespace: 2, identifier: 's=Line1.Temp' });
    expect(parseNodeId('ns=3;i=1001')).toEqual({ namespace: 3, identifier: 'i=1001' });
    expect(parseNodeId('i=85')).toEqual({ namespace: 0, identifier: 'i=85' });
    expect(parseNodeId('ns=1;g=72962B91-FA75-4AE6-8D28-B404DC7DAF63').identifier).toBe(
      'g=72962B91-FA75-4AE6-8D28-B404DC7DAF63',
    );
    expect(parseNodeId('ns=1;b=M/RbKBsRVkePCePcx24oRA==').namespace).toBe(1);
    expect(parseNodeId('nsu=urn:acme:plc;s=Line1.Temp')).toEqual({
      namespaceUri: 'urn:acme:plc',
      namespace: 0,
      identifier: 's=Line1.Temp',
    });
    expect(parseNodeId('nsu=http://acme.com/UA/;i=5').namespaceUri).toBe('http://acme.com/UA/');
    // A string identifier may contain anything, ';' and '=' included.
    expect(parseNodeId('ns=2;s=a;b=c').identifier).toBe('s=a;b=c');
  });

  const invalid = [
    '',
    'Temp',
    'hr:100',
    'ns=2',
    'ns=2;s=',
    'ns=x;i=1',
    'ns=70000;i=1',
    'i=abc',
    'i=-1',
    'i=99999999999',
    'ns=1;g=not-a-guid',
    'ns=1;b=***',
    'ns=2;x=3',
    'nsu=;s=a',
    'nsu=urn:x',
  ];
  for (const address of invalid) {
    it(`refuses ${JSON.stringify(address)} with a hint`, () => {
      expect(() => parseNodeId(address)).toThrow(
        `"${address}" is not a NodeId (e.g. ns=2;s=Line1.Temp or ns=3;i=1001)`,
      );
    });
  }

  it('resolves nsu= through the server namespace array', () => {
    const namespaces = ['http://opcfoundation.org/UA/', 'urn:tagwire:simulator', 'urn:acme:plc'];
    expect(resolveAddress(parseNodeId('nsu=urn:acme:plc;s=T'), namespaces).toString()).toBe('ns=2;s=T');
    expect(resolveAddress(parseNodeId('ns=1;i=1001'), namespaces).toString()).toBe('ns=1;i=1001');
    expect(() => resolveAddress(parseNodeId('nsu=urn:other;s=T'), namespaces)).toThrow(
      'the server has no namespace urn:other',
    );
  });
});
