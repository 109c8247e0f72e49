// The CLI speaks the user's language: --lang, else the language of the VS Code that opened the
// terminal (SOCKET_LAB_LANG), else the locale variables in POSIX order of precedence.
import fs from 'node:fs';
import path from 'node:path';
import { useBundle } from '../protocol/l10n';

/** Set by the extension on the terminals it opens: VS Code's display language (`zh-cn`). */
export const LANG_ENV = 'SOCKET_LAB_LANG';
/** The languages a bundle exists for, besides English (the keys). */
const BUNDLES: Readonly<Record<string, string>> = { 'zh-cn': 'bundle.l10n.zh-cn.json' };

/** `zh_CN.UTF-8`, `zh-CN`, `zh` → `zh-cn`; anything else → `en`. */
export function normalizeLanguage(value: string | undefined): string {
  const v = (value ?? '').toLowerCase().split(/[.@]/)[0]!.replace('_', '-');
  return v === 'zh' || v.startsWith('zh-cn') || v.startsWith('zh-hans') || v.startsWith('zh-sg') ? 'zh-cn' : 'en';
}

/** Removes `--lang X` / `--lang=X` from argv and says which language to speak. */
export function chooseLanguage(argv: readonly string[], env: NodeJS.ProcessEnv): { language: string; argv: string[] } {
  const rest: string[] = [];
  let given: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    if (a === '--lang') given = argv[++i] ?? '';
    else if (a.startsWith('--lang=')) given = a.slice('--lang='.length);
    else rest.push(a);
  }
  // POSIX: LC_ALL overrides LC_MESSAGES, which overrides LANG; an empty variable does not count.
  const chosen = given ?? [env[LANG_ENV], env.LC_ALL, env.LC_MESSAGES, env.LANG].find((v) => v !== undefined && v !== '');
  return { language: normalizeLanguage(chosen), argv: rest };
}

/** Loads the language's bundle (shipped in l10n/ beside dist/); English needs none. */
export function speak(language: string, root = path.join(__dirname, '..')): void {
  const file = BUNDLES[language];
  if (!file) return useBundle({});
  try {
    useBundle(JSON.parse(fs.readFileSync(path.join(root, 'l10n', file), 'utf8')) as Record<string, string>);
  } catch {
    // A damaged install still runs, in English.
    useBundle({});
  }
}
