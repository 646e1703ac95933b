"""Agent protocol tests for the eval op (chop's `where`) and the script op (chop's `script`).

Run by agent_protocol_test.py (which imports these classes when it runs as the main program), or
alone: python3 Tests/AgentTests/agent_where_script_test.py [-v]
"""

import base64
import os
import signal
import stat
import sys
import tempfile
import time
import unittest

from agent_protocol_test import (
    CANCEL,
    ERR,
    OK,
    TIMEOUT,
    Agent,
    OwnAgentsTest,
    b64,
    pid_gone,
    read_pidfile,
    wait_until,
)

PROBE = b'''#!/bin/sh
d=$(dirname "$0")
echo "$d" > "$1"
echo $$ > "$1.pid"
shift
echo "$(stat -c %a "$d") $(basename "$0") [$*]"
'''


class EvalOpTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.agent = Agent().start()

    @classmethod
    def tearDownClass(cls):
        cls.agent.close()

    def tearDown(self):
        self.assertFalse(self.agent.eof, 'agent exited: ' + self.agent.stderr.decode('utf-8', 'replace'))

    def evaluate(self, expr):
        res = self.agent.ok('eval', expr=expr)
        self.assertEqual(set(res), {'value', 'repr', 'truth', 'stdout', 'stderr'})
        return res

    def test_truth_is_pythons(self):
        self.agent.ok('exec', source='class No:\n    def __bool__(self):\n        return False\nno = No()')
        for expr, value, text, truth in [
                ('1', 1, None, True), ('0', 0, None, False), ("''", '', None, False), ('[0]', [0], None, True),
                ('None', None, None, False), ('set()', None, 'set()', False), ('{1}', None, '{1}', True),
                ('no', None, None, False)]:
            res = self.evaluate(expr)
            self.assertEqual(res['truth'], truth, expr)
            self.assertEqual(res['value'], value, expr)
            if text is not None:
                self.assertEqual(res['repr'], text, expr)
        self.assertIn('No object', self.evaluate('no')['repr'])

    def test_names_from_py_and_modules_imported_for_it(self):
        self.agent.ok('exec', source='threshold = 2')
        self.assertEqual(self.evaluate('threshold > 1')['truth'], True)
        res = self.evaluate("os.path.isdir('/') and json.dumps([1]) == '[1]' and [p for p in sys.path if p] != 0")
        self.assertIs(res['truth'], True)
        # Comprehension variables, lambda parameters and := targets are not imported.
        self.assertEqual(self.evaluate('[string for string in ["a"]]')['value'], ['a'])
        self.assertEqual(self.evaluate('(lambda abc: abc)(3)')['value'], 3)
        # The imports are the expression's own: py's namespace does not get them.
        self.assertEqual(self.agent.err('exec', source='os')['type'], 'NameError')
        self.assertEqual(self.agent.err('eval', expr='no_such_module_xyz.thing')['type'], 'NameError')
        self.assertEqual(self.evaluate('print("hi") or 5')['stdout'], 'hi\n')

    def test_bad_expressions_are_one_line_errors(self):
        for expr in ('x = 1', 'import os', 'if True: pass', '(', ''):
            err = self.agent.err('eval', expr=expr)
            self.assertEqual(err['type'], 'SyntaxError', expr)
            self.assertTrue(err['msg'].startswith('not a Python expression: '), err)
            self.assertNotIn('\n', err['msg'])
        err = self.agent.err('eval', expr='1/0')
        self.assertEqual(err['type'], 'ZeroDivisionError')
        self.assertIn('1/0', err['tb'])
        self.agent.ok('exec', source='class Bad:\n    def __bool__(self):\n        raise ValueError("no truth")')
        self.assertEqual(self.agent.err('eval', expr='Bad()')['msg'], 'no truth')
        self.assertEqual(self.agent.err('eval', expr=5)['type'], 'ProtocolError')


class ScriptOpTest(OwnAgentsTest):
    """Every way a script can end leaves no directory behind, and the directory is private."""

    def agent(self):
        return self.new_agent().start()

    def marker(self, name):
        return os.path.join(self.tmp, name)

    def recorded(self, marker):
        self.assertTrue(wait_until(lambda: os.path.exists(marker + '.pid')), f'the script never wrote {marker}')
        with open(marker) as f:
            return f.read().strip()

    def assert_removed(self, folder):
        self.assertIn('chop-script-', folder)
        self.assertTrue(wait_until(lambda: not os.path.exists(folder)), f'{folder} is still there')

    def script(self, agent, body, *args, **params):
        return agent.request('script', script_b64=b64(body), name='probe.sh', args=list(args), **params)

    def test_runs_privately_and_is_removed_after_success_and_failure(self):
        agent = self.agent()
        for tail, status in ((b'', 0), (b'exit 7\n', 7)):
            marker = self.marker(f'run{status}')
            op, res, _ = agent.result(self.script(agent, PROBE + tail, marker, 'a b', '--c'))
            self.assertEqual((op, res['status']), (OK, status))
            self.assertEqual(base64.b64decode(res['stdout_b64']), b'700 probe.sh [a b --c]\n')
            folder = self.recorded(marker)
            self.assert_removed(folder)

    def test_interpreters_from_the_shebang_or_sh(self):
        agent = self.agent()
        before = set(self.folders())
        py = b'#!/usr/bin/python3 -I\nimport sys\nprint(sys.argv[1:], sys.flags.isolated)\n'
        res = agent.ok('script', script_b64=b64(py), args=['x'])
        self.assertEqual(base64.b64decode(res['stdout_b64']), b"['x'] 1\n")
        res = agent.ok('script', script_b64=b64(b'echo "$0" "$1"\n'), name='../escape', args=['y'])
        out = base64.b64decode(res['stdout_b64']).decode()
        self.assertTrue(out.endswith('/script y\n') and 'chop-script-' in out, out)
        err = agent.err('script', script_b64=b64(b'#!/no/such/interpreter\n'))
        self.assertEqual(err['type'], 'FileNotFoundError')
        self.assertTrue(err['msg'].startswith('script: cannot start /no/such/interpreter: '), err)
        self.assertEqual(agent.err('script', script_b64=b64(b'#!\n'))['msg'], 'script: its #! line names no interpreter')
        self.assertEqual(agent.err('script', script_b64='!!')['type'], 'ProtocolError')
        self.assertEqual(agent.err('script', script_b64=b64(b''), args=[1])['type'], 'ProtocolError')
        self.assertEqual(agent.err('script')['type'], 'ProtocolError')
        self.assertEqual(set(self.folders()) - before, set(), 'every failed start removed its folder')

    @staticmethod
    def folders():
        return [name for name in os.listdir(tempfile.gettempdir()) if name.startswith('chop-script-')]

    def test_removed_after_timeout(self):
        agent = self.agent()
        marker = self.marker('timeout')
        start = time.monotonic()
        op, res, _ = agent.result(self.script(agent, PROBE + b'sleep 30\n', marker, timeout=0.5))
        self.assertEqual(op, OK)
        self.assertTrue(res['timed_out'])
        self.assertLess(time.monotonic() - start, 15, 'the 0.5 s timeout waited for the 30 s sleep')   # a hang catcher
        self.assert_removed(self.recorded(marker))

    def test_removed_after_cancel(self):
        agent = self.agent()
        marker = self.marker('cancel')
        rid = self.script(agent, PROBE + b'exec sleep 30\n', marker)
        folder = self.recorded(marker)
        pid = read_pidfile(marker + '.pid')
        agent.children.append(pid)
        agent.send(CANCEL, rid)
        op, value, _ = agent.result(rid)
        self.assertEqual((op, value['type']), (ERR, 'Cancelled'))
        self.assert_removed(folder)
        self.assertTrue(wait_until(lambda: pid_gone(pid)))
        self.assertIn('time', agent.ok('ping'))

    def test_removed_when_the_controller_goes_away(self):
        for end in (lambda agent: agent.proc.stdin.close(), lambda agent: agent.proc.send_signal(signal.SIGHUP)):
            agent = self.agent()
            marker = self.marker(f'eof{len(self.agents)}')
            self.script(agent, PROBE + b'exec sleep 30\n', marker)
            folder = self.recorded(marker)
            pid = read_pidfile(marker + '.pid')
            agent.children.append(pid)
            end(agent)
            self.assertEqual(agent.wait(), 0)
            self.assert_removed(folder)
            self.assertTrue(wait_until(lambda pid=pid: pid_gone(pid)))

    def test_the_folder_is_private_while_it_runs(self):
        agent = self.agent()
        marker = self.marker('mode')
        rid = self.script(agent, PROBE + b'exec sleep 30\n', marker)
        folder = self.recorded(marker)
        agent.children.append(read_pidfile(marker + '.pid'))
        self.assertEqual(stat.S_IMODE(os.stat(folder).st_mode), 0o700)
        self.assertEqual(stat.S_IMODE(os.stat(os.path.join(folder, 'probe.sh')).st_mode), 0o700)
        agent.send(CANCEL, rid)
        agent.result(rid, timeout=TIMEOUT)
        self.assert_removed(folder)


if __name__ == '__main__':
    print(f'agent where/script tests: {sys.executable}', file=sys.stderr)
    unittest.main(verbosity=2)
