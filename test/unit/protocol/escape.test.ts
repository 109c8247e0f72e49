import assert from 'node:assert/strict';
import fc from 'fast-check';
import { escapeBytes, previewBytes, StreamEscaper, unescapeText } from '../../../src/protocol/escape';

const bytes = (...b: number[]) => Uint8Array.from(b);

describe('escapeBytes', () => {
  it('keeps printable UTF-8 and escapes control and invalid bytes', () => {
    assert.equal(escapeBytes(Buffer.from('héllo 你好')), 'héllo 你好');
    assert.equal(escapeBytes(bytes(0x1b, 0x5b, 0x32, 0x4a)), '\\x1b[2J');
    assert.equal(escapeBytes(bytes(0x00, 0xff, 0x0a, 0x5c)), '\\x00\\xff\\n\\\\');
    assert.equal(escapeBytes(bytes(0x0a), { keepNewlines: true }), '\n');
  });

  it('escapes text-reordering code points (bidi overrides) and C1 controls', () => {
    assert.equal(escapeBytes(Buffer.from('a\u202Eb')), 'a\\u{202e}b');
    assert.equal(escapeBytes(Buffer.from('\u009b')), '\\u{9b}');
  });

  it('rejects overlong and surrogate encodings', () => {
    assert.equal(escapeBytes(bytes(0xc0, 0xaf)), '\\xc0\\xaf');
    assert.equal(escapeBytes(bytes(0xed, 0xa0, 0x80)), '\\xed\\xa0\\x80');
  });

  it('never lets a terminal control byte through, for any input', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), (input) => {
        const out = escapeBytes(input, { keepNewlines: true });
        for (const ch of out) {
          const cp = ch.codePointAt(0)!;
          assert.ok(cp === 0x0a || (cp >= 0x20 && cp !== 0x7f && !(cp >= 0x80 && cp <= 0x9f)), `U+${cp.toString(16)} leaked`);
        }
      }),
    );
  });

  it('round-trips: unescapeText(escapeBytes(b)) is b, for any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), (input) => {
        assert.deepEqual(unescapeText(escapeBytes(input)), input);
      }),
    );
  });

  it('previews long input with a marked cut', () => {
    assert.equal(previewBytes(Buffer.from('abcdef'), 3), 'abc…');
  });
});

describe('StreamEscaper', () => {
  it('does not garble a multi-byte character split across two reads', () => {
    const ch = Buffer.from('欢', 'utf8'); // 3 bytes
    const esc = new StreamEscaper();
    assert.equal(esc.write(Buffer.concat([Buffer.from('a'), ch.subarray(0, 2)])), 'a');
    assert.equal(esc.pending, true);
    assert.equal(esc.write(Buffer.concat([ch.subarray(2), Buffer.from('b')])), '欢b');
  });

  it('escapes a dangling partial character on flush', () => {
    const esc = new StreamEscaper();
    assert.equal(esc.write(bytes(0x41, 0xe6)), 'A');
    assert.equal(esc.flush(), '\\xe6');
  });

  it('produces the same text as one-shot escaping, however the stream is cut', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.array(fc.nat(), { maxLength: 8 }), (text, cuts) => {
        const buf = Buffer.from(text, 'utf8');
        const points = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b);
        const esc = new StreamEscaper();
        let out = '';
        let prev = 0;
        for (const p of [...points, buf.length]) {
          out += esc.write(buf.subarray(prev, p));
          prev = p;
        }
        out += esc.flush();
        assert.equal(out, escapeBytes(buf));
      }),
    );
  });
});
