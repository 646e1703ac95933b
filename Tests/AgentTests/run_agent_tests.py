"""Runs every agent test file: each ``*_test.py`` beside this one, in name order, in one run (today
agent_gateway_test.py, agent_protocol_test.py, agent_trees_test.py and agent_where_script_test.py; a new file is
picked up without being named here).

    python3 Tests/AgentTests/run_agent_tests.py

It names each file it ran on stderr (``agent test file: NAME``), so .ci/run can check that no test file
under Tests/ is left out, and it ends with one line ``agent suite: N passed, N failed, N skipped``.
Exits non-zero on a failure or error, and, in CI (``CI`` set), on a skipped test too: CI provides every
piece the suite can use (Python 2.7 for the "too old" check), so a skip there hides a test that never ran.
Runs under any Python 3.6+; set CHOP_AGENT to test another (joined) copy of the agent.
"""

import glob
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    sys.path.insert(0, HERE)
    loader = unittest.TestLoader()
    suite = unittest.TestSuite()
    for path in sorted(glob.glob(os.path.join(HERE, '*_test.py'))):
        name = os.path.basename(path)[:-3]
        module = __import__(name)
        # Only the classes a file defines: a base class imported from another file runs there.
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, unittest.TestCase) and value.__module__ == name:
                suite.addTests(loader.loadTestsFromTestCase(value))
        print('agent test file: ' + os.path.relpath(path, os.path.join(HERE, '..', '..')), file=sys.stderr)
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    skipped = len(result.skipped)
    passed = result.testsRun - failed - skipped
    print(f'agent suite: {passed} passed, {failed} failed, {skipped} skipped')
    if skipped and os.environ.get('CI'):
        print('agent suite: skipped tests in CI: ' + '; '.join(
            f'{test.id()} ({reason})' for test, reason in result.skipped), file=sys.stderr)
        return 1
    return 0 if failed == 0 else 1


if __name__ == '__main__':
    sys.exit(main())
