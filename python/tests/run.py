"""Runs the tracer's tests (`python3 python/tests/run.py`), verbose, and adds their counts to the
file scripts/test.sh sums into its closing line."""
import os
import sys
import unittest

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(here))
suite = unittest.defaultTestLoader.discover(here, top_level_dir=os.path.dirname(here))
result = unittest.TextTestRunner(verbosity=2).run(suite)
failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
passed = result.testsRun - failed - len(result.skipped)
counts = os.environ.get('SOCKET_LAB_COUNTS')
if counts:
    with open(counts, 'a') as f:
        f.write('python %d %d %d\n' % (passed, failed, len(result.skipped)))
print('python: %d passed, %d failed, %d skipped' % (passed, failed, len(result.skipped)))
sys.exit(0 if result.wasSuccessful() else 1)
