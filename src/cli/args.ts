// Node's parseArgs reads any argument that starts with "-" as an option, so `--port -1` is
// "ambiguous" and a positional `-1` an "unknown option". A negative number is never an option
// name here: hand it to parseArgs as the value or positional it is, so the command's own
// validation can say what is wrong with it.

const NEGATIVE_NUMBER = /^-\d+(\.\d+)?$/;

/** `--name -1` → `--name=-1`, for every long option followed by a negative number. */
export function attachNegativeValues(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') return [...out, ...argv.slice(i)];
    const next = argv[i + 1];
    if (arg.startsWith('--') && !arg.includes('=') && next !== undefined && NEGATIVE_NUMBER.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

/**
 * Also keeps standalone negative numbers as positionals (`client tcp 127.0.0.1 -1`): options
 * first, then `--` and the positionals in their original order. `takesValue` names the long
 * options that are followed by a value.
 */
export function negativeNumbersAsArguments(argv: readonly string[], takesValue: (name: string) => boolean): string[] {
  const options: string[] = [];
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (NEGATIVE_NUMBER.test(arg) || !arg.startsWith('-') || arg === '-') positionals.push(arg);
    else if (arg.startsWith('--') && !arg.includes('=') && takesValue(arg.slice(2)) && i + 1 < argv.length) options.push(`${arg}=${argv[++i]!}`);
    else options.push(arg);
  }
  return [...options, '--', ...positionals];
}
