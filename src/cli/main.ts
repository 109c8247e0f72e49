import { attachNegativeValues } from './args';
import { bench } from './bench';
import { client } from './client';
import { lab } from './lab';
import { pool } from './pool';
import { probe } from './probe';
import { python } from './python';
import { serve } from './serve';
import { holdThenExit, inExtensionTerminal } from './terminal';
import { USAGE, UsageError } from './usage';

const commands: Record<string, (argv: string[]) => Promise<number>> = { serve, client, bench, probe, lab, pool, python };

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(USAGE + '\n');
    return command ? 0 : 2;
  }
  const run = commands[command];
  if (!run) throw new UsageError(`unknown command "${command}".`);
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
      process.stderr.write(`error: ${err.message}\n\n${USAGE}\n`);
      return exitAfterError(2);
    }
    process.stderr.write(`internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return exitAfterError(70);
  },
);
