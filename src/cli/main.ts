import * as l10n from '@vscode/l10n';
import { attachNegativeValues } from './args';
import { bench } from './bench';
import { client } from './client';
import { chooseLanguage, speak } from './language';
import { lab } from './lab';
import { pool } from './pool';
import { probe } from './probe';
import { python } from './python';
import { serve } from './serve';
import { holdThenExit, inExtensionTerminal } from './terminal';
import { usage, UsageError } from './usage';

const commands: Record<string, (argv: string[]) => Promise<number>> = { serve, client, bench, probe, lab, pool, python };

async function main(args: string[]): Promise<number> {
  const { language, argv } = chooseLanguage(args, process.env);
  speak(language);
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(usage() + '\n');
    return command ? 0 : 2;
  }
  const run = commands[command];
  if (!run) throw new UsageError(l10n.t('unknown command "{0}".', command));
  return run(attachNegativeValues(rest));
}

/** In a terminal the extension opened, the message stays on screen (see holdThenExit). */
async function exitAfterError(code: number): Promise<never> {
  process.exit(inExtensionTerminal() ? await holdThenExit(code) : code);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  async (err: unknown) => {
    if (err instanceof UsageError || (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS'))) {
      process.stderr.write(`${l10n.t('error: {0}', err.message)}\n\n${usage()}\n`);
      return exitAfterError(2);
    }
    process.stderr.write(`${l10n.t('internal error: {0}', err instanceof Error ? (err.stack ?? err.message) : String(err))}\n`);
    return exitAfterError(70);
  },
);
