// One place that decides how the CLI talks: human lines or JSON lines.

export interface Output {
  /** A state change worth a line: human text, or a JSON object with `event`. */
  event(name: string, human: string, fields?: Record<string, unknown>): void;
  warn(text: string): void;
  error(text: string): void;
}

export function createOutput(json: boolean, quiet = false): Output {
  return {
    event(name, human, fields = {}) {
      if (json) process.stdout.write(JSON.stringify({ event: name, ...fields }) + '\n');
      else if (!quiet || name === 'listening') process.stdout.write(human + '\n');
    },
    warn(text) {
      if (json) process.stdout.write(JSON.stringify({ event: 'warning', message: text }) + '\n');
      process.stderr.write(`warning: ${text}\n`);
    },
    error(text) {
      if (json) process.stdout.write(JSON.stringify({ event: 'error', message: text }) + '\n');
      process.stderr.write(`error: ${text}\n`);
    },
  };
}
