import { isMainThread } from 'node:worker_threads';

// Which thread slot "I" am: set once when a worker starts; slot 0 is the main thread.
let slot = 0;

export function currentSlot(): number {
  return slot;
}

export function setCurrentSlot(value: number): void {
  slot = value;
}

/** Blocking calls would freeze the extension host's event loop: the main thread uses the async forms. */
export function assertMayBlock(what: string): void {
  if (isMainThread) throw new Error(`${what} would block the main thread; use the async form (e.g. acquireAsync) there.`);
}
