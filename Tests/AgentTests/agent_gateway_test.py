"""Agent protocol tests for gateways (agent_80_gateway.py): gateway_source, leaf_open, leaf_close, and the
ROUTE and LEAF frames that carry a leaf's frames and its tunnel's news.

Run by run_agent_tests.py, or alone: python3 Tests/AgentTests/agent_gateway_test.py [-v]
"""

import base64
import hashlib
import json
import os
import struct
import sys
import time
import unittest

from agent_protocol_test import (
    DATA,
    END,
    HELLO,
    OK,
    REQ,
    STUB,
    OwnAgentsTest,
    agent_source,
    b64,
    pid_gone,
    wait_until,
)

ROUTE, LEAF = 10, 11
READER = ['/bin/sh', '-c', 'IFS= read -r c; eval "$c"']
MARKER = 'chop-agent-' + '0123456789abcdef' * 4


def bootstrap_line(source):
    """The bootstrap a leaf's shell runs: the marker, then the agent from the rest of its stdin."""
    return f"echo {MARKER}; exec {sys.executable} -E -s -c 'exec({json.dumps(STUB)})' {len(source)}\n"


def inner(payload):
    """(op, id, payload) of the leaf frame a ROUTE frame carries."""
    op, rid = struct.unpack('>BI', payload[:5])
    return op, rid, payload[5:]


class GatewayTest(OwnAgentsTest):
    def gateway(self):
        agent = self.new_agent().start()
        agent.ok('gateway_source', agent_b64=b64(agent.source))
        return agent

    def open_leaf(self, agent, route, argv=None, line=None, timeout=10):
        agent.ok('leaf_open', route=route, argv=argv or READER, line=line or bootstrap_line(agent.source),
                 marker=MARKER, timeout=timeout, fanout=4)

    def event(self, agent, route, key):
        """The next LEAF event on route that has `key`, skipping the others (stderr news)."""
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            op, payload = agent.next_frame(route, max(0.1, deadline - time.monotonic()))
            if op == LEAF:
                event = json.loads(payload.decode('utf-8'))
                if key in event:
                    return event
        raise AssertionError(f'no {key} event for route {route}')

    def leaf_frame(self, agent, route):
        while True:
            op, payload = agent.next_frame(route)
            if op == ROUTE:
                return inner(payload)

    def test_a_leaf_starts_from_the_gateways_copy_and_its_frames_are_routed(self):
        agent = self.gateway()
        self.open_leaf(agent, 7)
        self.assertEqual(self.event(agent, 7, 'login'), {'login': ''})
        op, rid, hello = self.leaf_frame(agent, 7)
        self.assertEqual((op, rid), (HELLO, 0))
        leaf_pid = json.loads(hello.decode('utf-8'))['pid']
        self.assertNotEqual(leaf_pid, agent.proc.pid)
        agent.send(ROUTE, 7, struct.pack('>BI', REQ, 5) + json.dumps({'op': 'run', 'cmd': 'echo hi'}).encode())
        op, rid, reply = self.leaf_frame(agent, 7)
        self.assertEqual((op, rid), (OK, 5))
        self.assertEqual(base64.b64decode(json.loads(reply.decode())['stdout_b64']), b'hi\n')
        # The gateway's own requests go on meanwhile.
        self.assertIn('time', agent.ok('ping'))
        agent.ok('leaf_close', route=7)
        self.assertEqual(self.event(agent, 7, 'exit'), {'exit': 0})
        self.assertTrue(wait_until(lambda: pid_gone(leaf_pid)))

    def test_a_leaf_that_sends_garbage_is_ended_alone(self):
        agent = self.gateway()
        garbage = ['/bin/sh', '-c', f'IFS= read -r c; echo {MARKER}; printf "\\377\\377\\377\\377"; sleep 30']
        self.open_leaf(agent, 1, argv=garbage)
        self.open_leaf(agent, 2)
        event = self.event(agent, 1, 'exit')
        self.assertEqual(event['fault'], 'frame')
        self.assertEqual(event['msg'], 'bad frame length 4294967295 (must be 5..16777216)')
        self.assertEqual(self.leaf_frame(agent, 2)[0], HELLO)

    def test_a_leaf_answering_a_request_it_was_not_sent_is_ended(self):
        agent = self.gateway()
        hello = struct.pack('>IBI', 7, HELLO, 0) + b'{}'
        ok = struct.pack('>IBI', 7, OK, 99) + b'{}'
        script = f'IFS= read -r c; echo {MARKER}; printf "$1"; sleep 30'
        octal = ''.join(f'\\{byte:03o}' for byte in hello + ok)
        self.open_leaf(agent, 3, argv=['/bin/sh', '-c', script, 'sh', octal])
        self.assertEqual(self.leaf_frame(agent, 3)[0], HELLO)
        event = self.event(agent, 3, 'exit')
        self.assertEqual(event['msg'], 'frame op 2 for request 99, which chop did not send')

    def test_login_text_timeout_and_a_missing_program(self):
        agent = self.gateway()
        chatty = ['/bin/sh', '-c', 'IFS= read -r c; head -c 70000 /dev/zero | tr "\\0" x; sleep 30']
        self.open_leaf(agent, 1, argv=chatty)
        event = self.event(agent, 1, 'exit')
        self.assertEqual(event['fault'], 'login')
        self.assertEqual(len(base64.b64decode(event['login'])), 65536)
        self.open_leaf(agent, 2, argv=['/bin/sh', '-c', f'IFS= read -r c; echo {MARKER}; sleep 30'], timeout=1)
        event = self.event(agent, 2, 'exit')
        self.assertEqual((event['fault'], event['msg']), ('timeout', 'timed out after 1 s'))
        self.open_leaf(agent, 3, argv=['/no/such/ssh'])
        event = self.event(agent, 3, 'exit')
        self.assertEqual(event['fault'], 'spawn')
        self.assertIn('cannot start /no/such/ssh on the gateway', event['msg'])
        stderr_leaf = ['/bin/sh', '-c', 'echo "Host key verification failed." >&2; exit 255']
        self.open_leaf(agent, 4, argv=stderr_leaf)
        self.assertEqual(base64.b64decode(self.event(agent, 4, 'stderr')['stderr']),
                         b'Host key verification failed.\n')
        self.assertEqual(self.event(agent, 4, 'exit'), {'exit': 255})

    def test_leaves_end_with_their_gateway(self):
        agent = self.gateway()
        pids = []
        for route in (1, 2, 3):
            self.open_leaf(agent, route)
        for route in (1, 2, 3):
            pids.append(json.loads(self.leaf_frame(agent, route)[2].decode())['pid'])
        agent.proc.stdin.close()
        agent.wait()
        for pid in pids:
            self.assertTrue(wait_until(lambda pid=pid: pid_gone(pid)), pid)

    def test_a_tree_staged_on_the_gateway_is_fed_to_a_leaf_and_unstaged(self):
        import tempfile
        agent = self.gateway()
        self.open_leaf(agent, 4)
        self.assertEqual(self.leaf_frame(agent, 4)[0], HELLO)
        tmp = tempfile.mkdtemp(prefix='chop-gw-tree-')
        big = os.urandom(600 * 1024)
        staged = []
        for data in (b'hello\n', big):
            path = os.path.join(tmp, f'staged{len(staged)}')
            with open(path, 'wb') as f:
                f.write(data)
            staged.append(path)
        entries = [{'p': '', 'k': 'd', 'm': 0o755, 't': 0, 's': 0},
                   {'p': 'a.conf', 'k': 'f', 'm': 0o640, 't': 1_600_000_000_000_000_000, 's': 6},
                   {'p': 'big.bin', 'k': 'f', 'm': 0o644, 't': 0, 's': len(big)},
                   {'p': 'gone', 'k': 'f', 'm': 0o644, 't': 0, 's': 1}]
        root = os.path.join(tmp, 'dest')

        def to_leaf(op, rid, payload):
            agent.send(ROUTE, 4, struct.pack('>BI', op, rid) + payload)

        to_leaf(REQ, 9, json.dumps({'op': 'tree_put', 'path': root, 'force': True}).encode())
        to_leaf(DATA, 9, b'M' + json.dumps(entries).encode())
        to_leaf(DATA, 9, b'Z{}')
        wanted = []
        while True:
            op, rid, payload = self.leaf_frame(agent, 4)
            self.assertEqual((op, rid), (DATA, 9), payload)
            if payload[:1] == b'R':
                break
            wanted += [change['i'] for change in json.loads(payload[1:].decode()) if 'i' in change]
        self.assertEqual(wanted, [1, 2, 3])
        files = [[1, staged[0], hashlib.sha1(b'hello\n').hexdigest(), 6],
                 [2, staged[1], hashlib.sha1(big).hexdigest(), len(big)],
                 [3, os.path.join(tmp, 'no-such-copy'), '', 1]]
        agent.ok('leaf_tree_feed', route=4, id=9, files=files)
        # chop's END follows the files the gateway sends, whatever their size.
        to_leaf(END, 9, b'{}')
        op, rid, payload = self.leaf_frame(agent, 4)
        result = json.loads(payload.decode())
        self.assertEqual((op, rid), (OK, 9), result)
        self.assertEqual((result['files'], result['bytes'], result['failure_count']), (2, 6 + len(big), 1))
        self.assertIn('the gateway lost its copy', result['failures'][0]['msg'])
        with open(os.path.join(root, 'big.bin'), 'rb') as f:
            self.assertEqual(f.read(), big)
        self.assertEqual(os.stat(os.path.join(root, 'a.conf')).st_mode & 0o777, 0o640)
        self.assertEqual(agent.ok('gateway_unstage', paths=staged + [os.path.join(tmp, 'x')]), {'removed': 2, 'later': 0})
        self.assertFalse(any(os.path.exists(path) for path in staged))
        self.assertIn('LeafGone', agent.err('leaf_tree_feed', route=99, id=1, files=[])['type'])
        self.assertEqual(agent.err('leaf_tree_feed', route=4, id=1, files=[[1]])['type'], 'ProtocolError')

    def test_a_forwarded_agent_is_dropped_for_a_leaf_not_allowed_it(self):
        agent = self.new_agent(env={'SSH_AUTH_SOCK': '/tmp/chop-forwarded-agent'}).start()
        agent.ok('gateway_source', agent_b64=b64(agent.source))
        show = ['/bin/sh', '-c', 'echo "${SSH_AUTH_SOCK-unset}" >&2; exit 0']
        agent.ok('leaf_open', route=1, argv=show, line='x\n', marker=MARKER, timeout=10, drop_agent=True)
        agent.ok('leaf_open', route=2, argv=show, line='x\n', marker=MARKER, timeout=10)
        self.assertEqual(base64.b64decode(self.event(agent, 1, 'stderr')['stderr']), b'unset\n')
        self.assertEqual(base64.b64decode(self.event(agent, 2, 'stderr')['stderr']), b'/tmp/chop-forwarded-agent\n')

    def test_bad_requests_are_refused(self):
        agent = self.new_agent().start()
        self.assertIn('no agent source', agent.err('leaf_open', route=1, argv=READER, line='x', marker='m')['msg'])
        agent.ok('gateway_source', agent_b64=b64(agent.source))
        self.assertEqual(agent.err('leaf_open', route=1, argv=[], line='x', marker='m')['type'], 'ProtocolError')
        self.open_leaf(agent, 1)
        self.assertIn('in use', agent.err('leaf_open', route=1, argv=READER, line='x', marker='m')['msg'])
        # A frame for a route that is not open is dropped; the gateway goes on.
        agent.send(ROUTE, 99, struct.pack('>BI', REQ, 1) + b'{}')
        self.assertIn('time', agent.ok('ping'))


if __name__ == '__main__':
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    unittest.main()
