// Mocha's spec output, plus the counts written where scripts/test.sh adds them up into the
// closing "N passed, N failed" line that CI reads.
const fs = require('node:fs');
const path = require('node:path');
const Mocha = require('mocha');

class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const tier = (options.reporterOption && options.reporterOption.tier) || 'tests';
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
      const { passes, failures, pending } = runner.stats;
      const file = process.env.SOCKET_LAB_COUNTS;
      if (file) {
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.appendFileSync(file, `${tier} ${passes} ${failures} ${pending}\n`);
      }
      console.log(`${tier}: ${passes} passed, ${failures} failed, ${pending} skipped`);
    });
  }
}

module.exports = SummaryReporter;
