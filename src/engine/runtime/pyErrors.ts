// Errors with Python's type names and messages, so a lab reads like the tutorial it mirrors.

export type PyErrorType = 'RuntimeError' | 'ValueError' | 'BrokenBarrierError' | 'OwnerDiedError' | 'TimeoutError' | 'AssertionError';

export class PyError extends Error {
  constructor(
    readonly type: PyErrorType,
    message: string,
  ) {
    super(message);
    this.name = type;
  }
}

/** Python's argument checks for `acquire(blocking, timeout)` and `wait(timeout)`. */
export function checkTimeout(blocking: boolean, timeout: number | null | undefined): number {
  const t = timeout ?? -1;
  if (!blocking && t !== -1) throw new PyError('ValueError', "can't specify a timeout for a non-blocking call");
  if (t < 0 && t !== -1) throw new PyError('ValueError', 'timeout value must be a non-negative number');
  return t;
}
