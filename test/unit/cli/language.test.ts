import assert from 'node:assert/strict';
import { chooseLanguage, normalizeLanguage } from '../../../src/cli/language';
import { runCli } from '../../support/cli';

describe('CLI language: --lang, else SOCKET_LAB_LANG (the VS Code that opened the terminal), else LC_ALL, LC_MESSAGES, LANG', function () {
  this.timeout(30_000);

  it('reads the locale as POSIX does, and takes --lang out of the arguments', () => {
    assert.equal(normalizeLanguage('zh_CN.UTF-8'), 'zh-cn');
    assert.equal(normalizeLanguage('zh-CN'), 'zh-cn');
    assert.equal(normalizeLanguage('zh_CN.GB18030@euro'), 'zh-cn');
    assert.equal(normalizeLanguage('C.UTF-8'), 'en');
    assert.equal(normalizeLanguage(undefined), 'en');
    assert.deepEqual(chooseLanguage(['lab', '--lang', 'zh-cn', 'race'], {}), { language: 'zh-cn', argv: ['lab', 'race'] });
    assert.deepEqual(chooseLanguage(['--lang=en', 'lab'], { LANG: 'zh_CN.UTF-8' }), { language: 'en', argv: ['lab'] });
    assert.equal(chooseLanguage([], { LC_ALL: 'zh_CN.UTF-8', LANG: 'en_US.UTF-8' }).language, 'zh-cn');
    assert.equal(chooseLanguage([], { LC_ALL: '', LC_MESSAGES: 'en_US.UTF-8', LANG: 'zh_CN.UTF-8' }).language, 'en');
    assert.equal(chooseLanguage([], { SOCKET_LAB_LANG: 'zh-cn', LANG: 'en_US.UTF-8' }).language, 'zh-cn');
    // After "--" everything is the program's (python FILE ARGS): not ours to take.
    assert.deepEqual(chooseLanguage(['python', 'f.py', '--', '--lang', 'x'], {}).argv, ['python', 'f.py', '--', '--lang', 'x']);
  });

  it("LANG=zh_CN.UTF-8: a lab prints its title, explanation, lines and outcome in Chinese, with the tutorials' terms as written", async () => {
    const { code, stdout } = await runCli(['lab', 'race', '--threads', '2', '--increments', '500'], { LANG: 'zh_CN.UTF-8' }).exit();
    assert.equal(code, 0, stdout);
    assert.match(stdout, /^竞争计数器\n/);
    assert.match(stdout, /Lock/);
    assert.match(stdout, /不加锁：counter = \d+（应为 1000）/);
    assert.match(stdout, /结果：应为 1000。/);
  });

  it('--lang zh-cn: usage errors and the usage in Chinese; English by default', async () => {
    let r = await runCli(['--lang', 'zh-cn', 'lab', 'race', '--threads', '1']).exit();
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^错误：lab race: threads 必须是 2 到 64 之间的数；收到的是 1。/);
    assert.match(r.stderr, /用法：/);
    r = await runCli(['lab', 'race', '--threads', '1']).exit();
    assert.match(r.stderr, /^error: lab race: threads must be a number from 2 to 64; got 1\./);
  });
});
