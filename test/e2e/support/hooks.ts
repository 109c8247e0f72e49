import { endSession, session, startSession } from './session';

// Root hooks: one code-server for the whole e2e run (starting it costs ~10 s).
export const mochaHooks = {
  async beforeAll(this: Mocha.Context): Promise<void> {
    this.timeout(180_000);
    await startSession();
  },
  async afterEach(this: Mocha.Context): Promise<void> {
    const test = this.currentTest;
    if (test?.state !== 'failed') return;
    const name = test.fullTitle().replace(/[^a-z0-9]+/gi, '-').slice(0, 80);
    await session().screenshot(`FAILED-${name}`).catch(() => undefined);
  },
  async afterAll(this: Mocha.Context): Promise<void> {
    this.timeout(30_000);
    await endSession();
  },
};
