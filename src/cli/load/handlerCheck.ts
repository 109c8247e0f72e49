import type { HandlerName } from '../../engine/server/handlers';

/**
 * The `bench` arguments whose check matches what a Socket Lab handler answers, so a load test of
 * one of our own servers verifies what that server really does. Kept beside the load generator
 * (and free of it: the extension imports this) so the arguments and their meaning change together.
 */
export function benchCheckArgs(handler: HandlerName): string[] {
  switch (handler) {
    // crash-on echoes. Its default word never occurs in the binary pattern (whose bytes step by 7);
    // a word that does occur closes connections, and the result says the server closed them.
    case 'echo':
    case 'crash-on':
      return [];
    case 'upper':
      return ['--payload', 'text', '--expect', 'upper'];
    case 'menu': // replies to each line with one of three fixed texts
    case 'welcome': // greets once and closes: the result says the server closed every connection
      return ['--payload', 'text', '--expect', 'any'];
    case 'discard':
      return ['--expect', 'none'];
  }
}
