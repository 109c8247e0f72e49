import assert from 'node:assert/strict';
import fc from 'fast-check';
import { arrowLabel, asText, decodeBase64, hexDump, offsetLabel } from '../../../src/webview/streamFormat';

describe('webview: Follow stream formatting', () => {
  it('hex dump: 16 bytes a line with offsets and printable ASCII', () => {
    const bytes = Uint8Array.from(Buffer.from('hello, world\n\x00\xff\x1b[2J', 'latin1'));
    assert.equal(hexDump(bytes), '00000000  68 65 6c 6c 6f 2c 20 77  6f 72 6c 64 0a 00 ff 1b  |hello, world....|\n' + '00000010  5b 32 4a                                          |[2J|');
    assert.equal(hexDump(new Uint8Array()), '');
  });

  it('text escapes control bytes and invalid UTF-8 instead of showing them raw', () => {
    assert.equal(asText(Uint8Array.from([0x68, 0x69, 0x0a, 0x00, 0x1b, 0xff])), 'hi\\n\\x00\\x1b\\xff');
    assert.equal(asText(new TextEncoder().encode('grüß')), 'grüß');
    assert.equal(arrowLabel(new TextEncoder().encode('x'.repeat(100)), 100), `${'x'.repeat(28)}… (100 B)`);
    assert.equal(offsetLabel(1234.5), '+1.234 s');
  });

  it('base64 decodes to the same bytes Node encoded, and every hex line parses back', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        assert.deepEqual(decodeBase64(Buffer.from(bytes).toString('base64')), bytes);
        const back = hexDump(bytes)
          .split('\n')
          .filter(Boolean)
          .flatMap((line) => line.slice(10, 58).trim().split(/\s+/).filter(Boolean))
          .map((h) => parseInt(h, 16));
        assert.deepEqual(back, [...bytes]);
      }),
      { numRuns: 500 },
    );
  });
});
