import assert from 'node:assert/strict';
import { ReplyText } from '../../../../src/cli/client/replyText';

describe('ReplyText: received bytes as terminal text', () => {
  const show = (...chunks: string[]) => {
    const r = new ReplyText();
    return chunks.map((c) => r.write(Buffer.from(c, 'latin1'))).join('') + r.flush();
  };

  it('shows \\r\\n as a line end, also when a read ends between the \\r and the \\n', () => {
    assert.equal(show('one\r\ntwo\r\n'), 'one\ntwo\n');
    assert.equal(show('one\r', '\ntwo\r', '\n'), 'one\ntwo\n');
    assert.equal(show('one\r', '', '\n'), 'one\n');
  });

  it('keeps a bare \\r visible (it would move the cursor back over the line)', () => {
    assert.equal(show('a\rb'), 'a\\rb');
    assert.equal(show('a\r', 'b'), 'a\\rb');
    assert.equal(show('a\r\r\n'), 'a\\r\n');
    assert.equal(show('end\r'), 'end\\r', 'a \\r at the very end shows once its \\n can no longer come');
  });

  it('holds a \\r back without calling it a partial character, and still escapes what is not text', () => {
    const r = new ReplyText();
    assert.equal(r.write(Buffer.from('x\r')), 'x');
    assert.equal(r.partialCharacter, false);
    // The next read shows the \r was bare, and brings the start of a character.
    assert.equal(r.write(Buffer.from([0xe4, 0xbd])), '\\r');
    assert.equal(r.partialCharacter, true);
    assert.equal(r.flushPartialCharacter(), '\\xe4\\xbd');
    assert.equal(new ReplyText().write(Buffer.from('\x1b[31m\r\n')), '\\x1b[31m\n');
  });
});
