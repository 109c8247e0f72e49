/** Where the engine reports what happened; the extension passes its LogOutputChannel, the CLI stderr. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string, err?: unknown): void;
}

export const silentLogger: Logger = {
  info() {},
  warn() {},
  error() {},
};
