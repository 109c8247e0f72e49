import type { HandlerName } from '../../engine/server/handlers';
import type { Transport } from '../../protocol/views';

/**
 * The `bench` arguments whose check matches what a Socket Lab handler answers, so a load test of
 * one of our own servers verifies what that server really does. Kept beside the load generator
 * (and free of it: the extension imports this) so the arguments and their meaning change together.
 */
export function benchCheckArgs(handler: HandlerName, transport: Transport): string[] {
  switch (handler) {
    // crash-on echoes. Its default word never occurs in the binary pattern (whose bytes step by 7);
    // a word that does occur closes connections, and the result says the server closed them.
    case 'echo':
    case 'crash-on':
      return [];
    case 'upper':
      return ['--payload', 'text', '--expect', 'upper'];
    case 'menu': // greets, then replies to each line with one of two fixed texts
      return ['--payload', 'text', '--expect', 'any'];
    case 'welcome':
      // Over a stream it greets and closes: what can be measured is connections served per
      // second. A datagram gets the greeting as its reply.
      return transport === 'udp' ? ['--payload', 'text', '--expect', 'any'] : ['--expect', 'greeting'];
    case 'discard':
      return ['--expect', 'none'];
  }
}
