// What a worker thread or child process says in the display language: it has no bundle (it would
// cost every start), so it sends the English message and its arguments, and the main thread,
// where the bundle is, translates them (translateSaid in ./l10n). No import here: workers load it.

export type Replacement = string | number | boolean;

/** `message` with `{0}`, `{1}` replaced, in English: the line as a worker prints it. */
export function formatMessage(message: string, args: readonly Replacement[]): string {
  return message.replace(/\{(\d+)\}/g, (whole, i: string) => (Number(i) < args.length ? String(args[Number(i)]) : whole));
}
