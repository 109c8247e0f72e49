import assert from 'node:assert/strict';
import { attachNegativeValues, negativeNumbersAsArguments } from '../../../src/cli/args';
import { runCli } from '../../support/cli';

describe('CLI: negative numbers reach the validation that explains them', function () {
  this.timeout(20_000);

  it('attaches a negative number to the long option before it, and nothing else', () => {
    assert.deepEqual(attachNegativeValues(['tcp', '--port', '-1', '--json']), ['tcp', '--port=-1', '--json']);
    assert.deepEqual(attachNegativeValues(['--rate', '-2.5', '--', '--x', '-3']), ['--rate=-2.5', '--', '--x', '-3']);
    assert.deepEqual(attachNegativeValues(['-c', '-5', '--json']), ['-c', '-5', '--json']);
  });

  it('keeps standalone negative numbers as positionals, in order', () => {
    const takesValue = (n: string) => n === 'wait';
    assert.deepEqual(negativeNumbersAsArguments(['tcp', '127.0.0.1', '-1', '--lockstep', '--wait', '2'], takesValue), ['--lockstep', '--wait=2', '--', 'tcp', '127.0.0.1', '-1']);
    assert.deepEqual(negativeNumbersAsArguments(['--wait', '-1', 'a', '--', '-b'], takesValue), ['--wait=-1', '--', 'a', '-b']);
  });

  it('serve --port -1 says the port is out of range (exit 2), not that the option is ambiguous', async () => {
    const { code, stderr } = await runCli(['serve', 'tcp', '--port', '-1']).exit();
    assert.equal(code, 2);
    assert.match(stderr, /^error: serve: Port -1 is out of range/);
    assert.doesNotMatch(stderr, /ambiguous/);
  });

  it('client tcp 127.0.0.1 -1 says the port is out of range (exit 2)', async () => {
    const { code, stderr } = await runCli(['client', 'tcp', '127.0.0.1', '-1']).exit();
    assert.equal(code, 2);
    assert.match(stderr, /^error: client: Port -1 is out of range/);
  });
});
