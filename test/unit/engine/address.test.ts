import assert from 'node:assert/strict';
import { exposureWarning, validateHost, validatePort } from '../../../src/engine/address';
import { describeConnectError, describeListenError } from '../../../src/engine/errors';

describe('address validation', () => {
  it('accepts ports 0–65535 only', () => {
    for (const ok of ['0', '80', '65535', ' 8080 ']) assert.equal(validatePort(ok), undefined, ok);
    for (const bad of ['', '-1', '65536', '70000', '12a', '1.5', 'http']) assert.ok(validatePort(bad), bad);
  });

  it('calls a negative or too large port out of range, and junk not a number', () => {
    assert.equal(validatePort('-1'), 'Port -1 is out of range: a port is a whole number from 0 to 65535 (0 = any free port).');
    assert.match(validatePort('70000')!, /^Port 70000 is out of range: it must be at most 65535\.$/);
    assert.match(validatePort('12a')!, /whole number from 0 to 65535 .*got "12a"/);
  });

  it('accepts IP addresses and host names, rejects junk', () => {
    for (const ok of ['127.0.0.1', '::1', '0.0.0.0', 'localhost', 'my-host.example']) assert.equal(validateHost(ok), undefined, ok);
    for (const bad of ['', 'a b', '127.0.0.1:80', 'http://x', '-bad']) assert.ok(validateHost(bad), bad);
  });

  it('refuses digits and dots that are no IPv4 address (999.1.1.1) before any look-up, naming the number out of range', () => {
    assert.equal(validateHost('999.1.1.1'), '"999.1.1.1" is not an IPv4 address: each of its four numbers must be from 0 to 255 (999 is not).');
    assert.match(validateHost('127.0.0.256')!, /\(256 is not\)/);
    for (const bad of ['1.2.3', '1.2.3.4.5', '127.1', '8080', '1..2.3']) assert.match(validateHost(bad)!, /is not an IPv4 address: that is four numbers from 0 to 255/, bad);
    for (const ok of ['255.255.255.255', '0.0.0.0', '127.0.0.1', '10.0.0.1', 'host1.example', '3com.com']) assert.equal(validateHost(ok), undefined, ok);
    // Nothing out of range is warned about as a non-loopback bind: it is refused first.
    assert.ok(validateHost('127.999.0.1'));
  });

  it('warns for any bind that is not loopback', () => {
    assert.equal(exposureWarning('127.0.0.1'), undefined);
    assert.equal(exposureWarning('::1'), undefined);
    assert.match(exposureWarning('0.0.0.0')!, /every network interface/);
    assert.match(exposureWarning('192.168.1.5')!, /not a loopback address/);
  });

  it('words errors with the errno code and the address', () => {
    const err = Object.assign(new Error('x'), { code: 'ECONNREFUSED' });
    assert.equal(describeConnectError(err, '127.0.0.1', 9).message, 'connection refused (ECONNREFUSED) 127.0.0.1:9');
    const acc = describeListenError(Object.assign(new Error('x'), { code: 'EACCES' }), '127.0.0.1', 80);
    assert.match(acc.message, /EACCES/);
    assert.match(acc.hint!, /below 1024/);
  });
});
