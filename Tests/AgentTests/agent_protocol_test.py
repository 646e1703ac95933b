"""Protocol tests for the chop agent (Sources/Chopsticks/Agent/agent_*.py, joined in order).

Starts the agent exactly as the Swift controller does -- ``PYTHON -c STUB N``, the
agent source on stdin, then binary frames -- and checks every op of PROTOCOL.txt.
Stdlib unittest only; runs under any Python 3.6+. Every agent test file (this one and the ops' files beside
it) runs with:

    python3 Tests/AgentTests/run_agent_tests.py

and this file's tests alone with ``python3 Tests/AgentTests/agent_protocol_test.py [-v]``.

Set CHOP_AGENT=/path/to/agent.py to test another (joined) copy. Exits non-zero on failure.
"""

import base64
import glob
import hashlib
import itertools
import json
import marshal
import math
import os
import platform
import random
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
AGENT_DIR = os.path.join(HERE, '..', '..', 'Sources', 'Chopsticks', 'Agent')
AGENT = os.environ.get('CHOP_AGENT')
AGENT_PARTS = sorted(glob.glob(os.path.join(AGENT_DIR, 'agent_*.py')))
PROTOCOL = os.path.join(AGENT_DIR, 'PROTOCOL.txt')
# A Python 2 for the "too old" check: $CHOP_PY27, pyenv's 2.7.18, or python2.7 on PATH.
PY27 = next((p for p in (os.environ.get('CHOP_PY27'), '/root/.pyenv/versions/2.7.18/bin/python',
                         shutil.which('python2.7')) if p and os.path.exists(p)), None)

# Must stay byte-identical to the STUB in PROTOCOL.txt (test_stub_matches_spec checks).
STUB = r"""import os,sys
if sys.version_info<(3,6):sys.stderr.write("chop: python too old: %s at %s"%(sys.version.split()[0],sys.executable)+chr(10));sys.exit(4)
sys.path[:]=[q for q in sys.path if os.path.isabs(q)]
try:os.chdir(os.environ.pop("CHOP_DIR","."))
except Exception:pass
n=int(sys.argv[1]);x=None
if len(sys.argv)>2:
 import marshal,pwd,zlib
 u=os.geteuid();e=pwd.getpwuid(u).pw_dir
 if "SUDO_USER" in os.environ or u!=os.getuid():d=os.path.join(e,".cache")
 else:d=os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache");e=os.path.expanduser("~")
 d=os.path.join(d,"chop");p=os.path.join(d,"agent-%s.%s"%(sys.argv[2],sys.implementation.cache_tag))
 try:
  q=p
  while 1:
   t=os.lstat(q)
   if t.st_uid not in(u,0) or t.st_mode&18 and not(t.st_uid==0 and t.st_mode&512) or q!=p and not os.path.isdir(q):raise OSError(q)
   if q==e or q==os.path.dirname(q):break
   q=os.path.dirname(q)
  with open(p,"rb") as f:b=f.read()
  if b[:4]==zlib.crc32(b[4:]).to_bytes(4,"big"):x=marshal.loads(b[4:])
 except Exception:pass
if x is None:
 s=b""
 while len(s)<n:
  c=os.read(0,n-len(s))
  if not c:sys.exit(3)
  s+=c
 x=compile(s,"chop_agent.py","exec");n=0
 if len(sys.argv)>2:
  try:
   os.makedirs(d,448,exist_ok=True);t="%s.%d"%(p,os.getpid());m=marshal.dumps(x)
   with open(os.open(t,os.O_WRONLY|os.O_CREAT|os.O_EXCL,384),"wb") as f:f.write(zlib.crc32(m).to_bytes(4,"big")+m)
   os.rename(t,p)
  except Exception:pass
exec(x,{"__name__":"__chop_agent__","CHOP_SKIP":n,"CHOP_FIRST":os.environ.pop("CHOP_FIRST","")})
"""

REQ, OK, ERR, DATA, END, CANCEL, HELLO, WANT, SHIPPED = range(1, 10)
MAX_FRAME = 16 * 1024 * 1024 + 5
TIMEOUT = 10.0        # the longest any single wait may take
IDS = itertools.count(1)


def agent_source():
    """The agent as the controller sends it: its parts joined in file-name order, a blank line
    between each (Bootstrap.agentSource), or the one file named by CHOP_AGENT."""
    if AGENT:
        with open(AGENT, 'rb') as f:
            return f.read()
    parts = []
    for path in AGENT_PARTS:
        with open(path, 'rb') as f:
            parts.append(f.read())
    return b'\n\n'.join(parts)


def frame(op, rid, payload=b''):
    return struct.pack('>IBI', 5 + len(payload), op, rid) + payload


def pid_gone(pid):
    """True if pid no longer exists or is a zombie nobody has reaped yet."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    try:
        with open(f'/proc/{pid}/stat') as f:
            return f.read().rsplit(')', 1)[1].split()[0] in ('Z', 'X')
    except OSError:
        return True


def wait_until(predicate, timeout=TIMEOUT, step=0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


def read_pidfile(path, timeout=TIMEOUT):
    def ready():
        try:
            with open(path) as f:
                return f.read().strip().isdigit()
        except OSError:
            return False
    if not wait_until(ready, timeout):
        raise AssertionError(f'no pid appeared in {path}')
    with open(path) as f:
        return int(f.read().strip())


class Agent:
    """One agent process, with a thread that splits its stdout into frames per id."""

    def __init__(self, python=None, source=None, key=None, env=None, preexec=None, flags=(), pass_fds=()):
        self.source = agent_source() if source is None else source
        self.proc = subprocess.Popen(
            [python or sys.executable, *flags, '-c', STUB, str(len(self.source))] + ([key] if key else []),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            # preexec only sets a resource limit: no lock is taken between fork and exec.
            env=None if env is None else dict(os.environ, **env), preexec_fn=preexec,   # noqa: PLW1509
            pass_fds=pass_fds)
        self.cond = threading.Condition()
        self.frames = {}     # id -> [(op, payload)]
        self.order = []      # (op, id) in arrival order
        self.bad = None      # description of a malformed frame, if one arrived
        self.eof = False
        self.stderr = bytearray()
        self.children = []   # pids of test commands, killed on close just in case
        for target in (self._read_frames, self._read_stderr):
            thread = threading.Thread(target=target)
            thread.daemon = True
            thread.start()

    def start(self):
        self.write(self.source)
        op, hello = self.next_frame(0)
        assert op == HELLO, f'first frame is op {op}, not HELLO'
        self.hello = json.loads(hello.decode('utf-8'))
        return self

    def _read_exact(self, n):
        data = b''
        while len(data) < n:
            chunk = self.proc.stdout.read(n - len(data))
            if not chunk:
                return None
            data += chunk
        return data

    def _read_frames(self):
        while True:
            header = self._read_exact(9)
            if header is None:
                break
            length, op, rid = struct.unpack('>IBI', header)
            # 10, 11: ROUTE and LEAF, a gateway's frames (agent_gateway_test.py).
            if not 5 <= length <= MAX_FRAME or op not in (OK, ERR, DATA, HELLO, WANT, 10, 11):
                with self.cond:
                    self.bad = f'bad frame: length {length} op {op} id {rid} (raw {header!r})'
                    self.cond.notify_all()
                while self.proc.stdout.read(65536):
                    pass   # keep draining so the agent never blocks on a full pipe
                break
            payload = self._read_exact(length - 5)
            if payload is None:
                break
            with self.cond:
                self.frames.setdefault(rid, []).append((op, payload))
                self.order.append((op, rid))
                self.cond.notify_all()
        with self.cond:
            self.eof = True
            self.cond.notify_all()

    def _read_stderr(self):
        for chunk in iter(lambda: self.proc.stderr.read1(65536), b''):
            self.stderr += chunk

    def write(self, data):
        """Write to the agent's stdin, but never block for more than TIMEOUT."""
        errors = []

        def target():
            try:
                self.proc.stdin.write(data)
                self.proc.stdin.flush()
            except Exception as e:   # noqa: BLE001 -- handed to the caller below
                errors.append(e)

        thread = threading.Thread(target=target)
        thread.daemon = True
        thread.start()
        thread.join(TIMEOUT)
        if thread.is_alive():
            self.proc.kill()
            raise AssertionError(f'writing to the agent blocked for {TIMEOUT:.1f}s')
        if errors:
            raise errors[0]

    def send(self, op, rid, payload=b''):
        self.write(frame(op, rid, payload))

    def request(self, op, **params):
        rid = next(IDS)
        params['op'] = op
        self.send(REQ, rid, json.dumps(params).encode('utf-8'))
        return rid

    def next_frame(self, rid, timeout=TIMEOUT):
        with self.cond:
            self.cond.wait_for(lambda: self.frames.get(rid) or self.bad or self.eof, timeout)
            if self.bad:
                raise AssertionError(self.bad)
            if not self.frames.get(rid):
                stderr = self.stderr.decode('utf-8', 'replace')
                raise AssertionError(f'no frame for id {rid} within {timeout:.1f}s '
                                     f'(eof={self.eof}); agent stderr: {stderr}')
            return self.frames[rid].pop(0)

    def pending(self, rid):
        with self.cond:
            return list(self.frames.get(rid) or [])

    def result(self, rid, timeout=TIMEOUT):
        """Wait for id's OK/ERR; returns (op, decoded JSON, [DATA payloads])."""
        deadline = time.monotonic() + timeout
        chunks = []
        while True:
            op, payload = self.next_frame(rid, max(0.0, deadline - time.monotonic()))
            if op == DATA:
                chunks.append(payload)
            elif op in (OK, ERR):
                return op, json.loads(payload.decode('utf-8')), chunks
            else:
                raise AssertionError(f'unexpected op {op} for id {rid}')

    # `wait` rather than `timeout`: run has a `timeout` parameter of its own.
    def ok(self, op, wait=TIMEOUT, **params):
        rop, value, _ = self.result(self.request(op, **params), wait)
        assert rop == OK, f'{op} {params!r} failed: {value!r}'
        return value

    def err(self, op, wait=TIMEOUT, **params):
        rop, value, _ = self.result(self.request(op, **params), wait)
        assert rop == ERR, f'{op} {params!r} unexpectedly succeeded: {value!r}'
        assert set(value) == {'type', 'msg', 'tb'}, value
        return value

    def wait(self, timeout=TIMEOUT):
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f'agent still running after {timeout:.1f}s')

    def close(self):
        for stream in (self.proc.stdin,):
            try:
                stream.close()
            except OSError:
                pass
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for pid in self.children:
            if not pid_gone(pid):
                os.kill(pid, signal.SIGKILL)
        for stream in (self.proc.stdout, self.proc.stderr):
            stream.close()


def b64(data):
    return base64.b64encode(data).decode('ascii')


def unb64(text):
    return base64.b64decode(text)


class SharedAgentTest(unittest.TestCase):
    """Most tests share one agent: it must keep working across all of them."""

    @classmethod
    def setUpClass(cls):
        cls.agent = Agent().start()
        cls.tmp = tempfile.mkdtemp(prefix='chop-agent-test-')

    @classmethod
    def tearDownClass(cls):
        cls.agent.close()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def tearDown(self):
        self.assertIsNone(self.agent.bad)
        self.assertNotIn(b'Exception in thread', self.agent.stderr, self.agent.stderr)
        self.assertFalse(self.agent.eof, 'agent exited: ' + self.agent.stderr.decode('utf-8', 'replace'))

    def path(self, name):
        return os.path.join(self.tmp, name)

    def run_cmd(self, cmd, wait=TIMEOUT, **params):
        res = self.agent.ok('run', wait=wait, cmd=cmd, **params)
        self.assertEqual(set(res), {'status', 'signal', 'stdout_b64', 'stderr_b64', 'stdout_truncated',
                                    'stderr_truncated', 'timed_out', 'duration'})
        res['stdout'], res['stderr'] = unb64(res['stdout_b64']), unb64(res['stderr_b64'])
        return res

    # ------------------------------------------------------------ hello, ping, errors

    def test_hello(self):
        hello = self.agent.hello
        self.assertEqual(hello['agent'], 1)
        self.assertEqual(hello['python'], platform.python_version())
        self.assertEqual(os.path.realpath(hello['executable']), os.path.realpath(sys.executable))
        self.assertEqual(hello['pid'], self.agent.proc.pid)
        self.assertEqual(hello['hostname'], socket.gethostname())

    def test_ping(self):
        res = self.agent.ok('ping')
        self.assertIsInstance(res['time'], float)
        self.assertLess(abs(res['time'] - time.time()), 60)

    def test_bad_requests_answered_and_agent_survives(self):
        for payload in (b'{not json', b'[1, 2]', b'\xff\xfe', json.dumps({'op': 'frobnicate'}).encode()):
            rid = next(IDS)
            self.agent.send(REQ, rid, payload)
            op, value, _ = self.agent.result(rid)
            self.assertEqual(op, ERR)
            self.assertTrue(value['msg'])
        self.assertIn('frobnicate', value['msg'])
        self.assertIn('run', value['msg'])
        self.assertEqual(self.agent.err('run')['type'], 'ProtocolError')   # no cmd
        # DATA, END and CANCEL for ids nobody knows are ignored without a reply.
        stray = next(IDS)
        self.agent.send(DATA, stray, b'stray bytes')
        self.agent.send(END, stray, b'{"sha1": "0", "size": 1}')
        self.agent.send(CANCEL, stray)
        self.agent.ok('ping')
        self.assertEqual(self.agent.pending(stray), [])


    def test_site_is_run_before_the_users_code_when_python_started_without_it(self):
        """chop starts Python with -E -s -S (no site: a faster start). The user's code still finds what site
        adds: the site-packages folders on sys.path and builtins such as exit."""
        import site
        wanted = [folder for folder in site.getsitepackages() if os.path.isdir(folder)]
        self.assertTrue(wanted, 'this python has no site-packages folder to look for')
        agent = Agent(flags=('-E', '-s', '-S')).start()
        try:
            agent.ok('ping')   # a request that runs no user code: site is not needed for it
            path = agent.ok('eval', expr='sys.path')['value']
            for folder in wanted:
                self.assertIn(folder, path)
            self.assertTrue(agent.ok('eval', expr='callable(exit) and callable(quit)')['value'])
            self.assertIn(wanted[0], agent.ok('call', func='sys.path.copy')['value'])
        finally:
            agent.close()

    def test_frames_written_together_and_split_anywhere_are_each_handled(self):
        """The agent reads ahead (many small frames per read) and cuts frames from what it read: frames that
        arrive in one write, a frame split across writes, and a payload larger than the read-ahead (straight
        into its own buffer) each count once, in order."""
        stray = next(IDS)
        pings = [next(IDS) for _ in range(40)]
        stream = b''.join(frame(REQ, rid, b'{"op": "ping"}') for rid in pings[:20])
        stream += frame(DATA, stray, b'x' * (600 << 10))   # ignored: nobody's request, larger than READ_AHEAD
        stream += b''.join(frame(REQ, rid, b'{"op": "ping"}') for rid in pings[20:])
        for start in range(0, len(stream), 99_991):   # cuts fall inside headers and payloads
            self.agent.write(stream[start:start + 99_991])
        for rid in pings:
            op, value, _ = self.agent.result(rid)
            self.assertEqual(op, OK)
            self.assertIn('time', value)
        self.assertEqual(self.agent.pending(stray), [])
    # ------------------------------------------------------------ run

    def test_run_status_and_signal(self):
        res = self.run_cmd('exit 3')
        self.assertEqual((res['status'], res['signal'], res['timed_out']), (3, None, False))
        self.assertIsInstance(res['duration'], float)
        res = self.run_cmd('kill -TERM $$')
        self.assertEqual((res['status'], res['signal']), (None, signal.SIGTERM))

    def test_run_output_bytes(self):
        res = self.run_cmd(r"printf '\377\376ok\n'; printf 'e\200rr' >&2")
        self.assertEqual(res['stdout'], b'\xff\xfeok\n')
        self.assertEqual(res['stderr'], b'e\x80rr')
        self.assertEqual(res['status'], 0)
        self.assertFalse(res['stdout_truncated'] or res['stderr_truncated'])

    def test_run_stream_sends_tagged_output_before_the_result(self):
        # The command prints its last line only once the first two have arrived here as DATA (the test then
        # creates `go`), so what is streamed and what rides in the OK does not depend on timing.
        go = self.path('stream-go')
        rid = self.agent.request('run', stream=True, cmd=(
            "printf 'one\\n'; printf 'err' >&2; "
            f"for i in $(seq 1000); do [ -e {go} ] && break; sleep 0.01; done; printf 'two\\n'"))
        chunks = []
        while sorted(chunks) != [b'\x01one\n', b'\x02err']:
            op, payload = self.agent.next_frame(rid)
            self.assertEqual(op, DATA, payload)
            chunks.append(payload)
        open(go, 'w').close()
        rop, value, more = self.agent.result(rid)
        chunks += more
        self.assertEqual(rop, OK, value)
        self.assertEqual((value['stdout_b64'], value['stderr_b64'], value['status']), ('', '', 0))
        self.assertTrue(all(c[:1] in (b'\x01', b'\x02') for c in chunks), chunks)
        # What came before the sleep went out as DATA; what the command printed last rides in the OK.
        self.assertEqual(sorted(chunks), [b'\x01one\n', b'\x02err'])
        self.assertEqual(value['tail'], [{'stream': 1, 'b64': b64(b'two\n')}])

    def test_run_stream_of_a_short_command_is_one_frame(self):
        rop, value, chunks = self.agent.result(self.agent.request(
            'run', cmd="echo out; echo err >&2; echo more", stream=True))
        self.assertEqual((rop, chunks), (OK, []), value)
        tail = [(piece['stream'], unb64(piece['b64'])) for piece in value['tail']]
        # Two pipes: how stdout and stderr interleave depends on when each is read; each stream is whole.
        self.assertEqual(b''.join(b for tag, b in tail if tag == 1), b'out\nmore\n')
        self.assertEqual(b''.join(b for tag, b in tail if tag == 2), b'err\n')

    def test_run_plain_command_starts_without_sh(self):
        # `cat /proc/self/stat` names its parent: the agent itself when no sh sits in between.
        parent = int(self.run_cmd('cat /proc/self/stat')['stdout'].rsplit(b')', 1)[1].split()[1])
        self.assertEqual(parent, self.agent.proc.pid)
        parent = int(self.run_cmd('cat /proc/self/stat; true')['stdout'].rsplit(b')', 1)[1].split()[1])
        self.assertNotEqual(parent, self.agent.proc.pid)
        # Whatever sh would read differently still goes through sh, with sh's answers.
        self.assertEqual(self.run_cmd('echo $((6*7))')['stdout'], b'42\n')
        self.assertEqual(self.run_cmd('X=1 env')['status'], 0)
        self.assertEqual(self.run_cmd('cd /')['status'], 0)
        missing = self.run_cmd('no-such-command-here arg')
        self.assertEqual(missing['status'], 127)
        self.assertIn(b'not found', missing['stderr'])
        self.assertEqual(self.run_cmd(f'{self.tmp}')['status'], 126)   # a folder: sh says Permission denied

    def test_run_starts_commands_without_importing_subprocess(self):
        """A host's first `run` does not wait for subprocess, re or base64 to import (about 10 ms on
        Python 3.11): posix_spawnp starts the command, in a session of its own with SIGPIPE back at its
        default, as Popen would; a cwd (and every command before Python 3.8) still goes through Popen."""
        agent = Agent(flags=('-E', '-s', '-S')).start()   # as chop starts it: no site, whose .pth files may import re
        try:
            stat = agent.ok('run', cmd='cat /proc/self/stat')
            fields = unb64(stat['stdout_b64']).rsplit(b')', 1)[1].split()   # state ppid pgrp session
            pid = int(unb64(stat['stdout_b64']).split()[0])
            self.assertEqual((int(fields[1]), int(fields[3])), (agent.proc.pid, pid))   # the agent's child, leads
            status = unb64(agent.ok('run', cmd='grep SigIgn /proc/self/status')['stdout_b64'])
            self.assertFalse(int(status.split()[1], 16) & (1 << (signal.SIGPIPE - 1)), status)
            self.assertEqual(unb64(agent.ok('run', cmd='cat', stdin_b64=b64(b'in\n'))['stdout_b64']), b'in\n')
            self.assertEqual(agent.ok('run', cmd='echo "$V" | grep -q x', env={'V': 'x'})['status'], 0)
            slow = agent.ok('run', cmd='sleep 5', timeout=0.3)
            self.assertEqual((slow['timed_out'], slow['signal']), (True, signal.SIGKILL))
            # (re itself is not asked about: eval imports it, through linecache and tokenize.)
            loaded = agent.ok('eval', expr="[m for m in ('subprocess', 'base64') if m in sys.modules]")
            # Before Python 3.8 (no posix_spawnp) Popen starts them, with the same results as above.
            self.assertEqual(loaded['value'], [] if hasattr(os, 'posix_spawnp') else ['subprocess'])
            agent.ok('run', cmd='true', cwd='/')
            self.assertTrue(agent.ok('eval', expr="'subprocess' in sys.modules")['value'])
        finally:
            agent.close()

    def test_commands_do_not_inherit_what_the_agent_was_given(self):
        """A descriptor the agent's parent left open past fd 2 does not reach the commands the agent starts
        (posix_spawn does not close it, as Popen's close_fds did: the agent marks it close-on-exec at start)."""
        r, w = os.pipe()
        high = 37   # above what ls opens for itself
        os.dup2(w, high)   # inheritable (dup2 returns None before Python 3.7)
        try:
            agent = Agent(pass_fds=(high,)).start()
            try:
                for cmd in ('ls /proc/self/fd', 'ls /proc/self/fd; true'):   # started directly, and through sh
                    listed = unb64(agent.ok('run', cmd=cmd)['stdout_b64']).split()
                    self.assertIn(b'0', listed)
                    self.assertNotIn(b'37', listed, cmd)
            finally:
                agent.close()
        finally:
            for fd in (r, w, high):
                os.close(fd)

    def test_run_stdin(self):
        data = bytes(range(256)) * 40
        self.assertEqual(self.run_cmd('cat', stdin_b64=b64(data))['stdout'], data)
        big = os.urandom(3 * 1024 * 1024)   # larger than any pipe buffer
        res = self.run_cmd('wc -c', stdin_b64=b64(big))
        self.assertEqual(int(res['stdout']), len(big))
        # A command that ignores its stdin must not hang the request.
        self.assertEqual(self.run_cmd('true', stdin_b64=b64(big))['status'], 0)
        self.assertEqual(self.run_cmd('cat')['stdout'], b'')   # no stdin: /dev/null

    def test_run_env_and_cwd(self):
        res = self.run_cmd('printf %s "$CHOP_VAR"; printf %s "$HOME" >&2',
                           env={'CHOP_VAR': 'h\u00e9llo w\u00f6rld'})
        self.assertEqual(str(res['stdout'], 'utf-8'), 'h\u00e9llo w\u00f6rld')
        self.assertEqual(str(res['stderr'], 'utf-8'), os.environ.get('HOME', ''))   # inherited
        self.assertEqual(self.run_cmd('command -v sh')['status'], 0)   # PATH kept
        res = self.run_cmd('pwd -P', cwd=self.tmp)
        self.assertEqual(str(res['stdout'], 'utf-8').strip(), os.path.realpath(self.tmp))

    def test_run_missing_cwd(self):
        missing = self.path('no/such/dir')
        err = self.agent.err('run', cmd='true', cwd=missing)
        self.assertIn(missing, err['msg'])
        self.assertIn('cwd', err['msg'])

    def test_run_timeout_kills_process_group(self):
        pidfile = self.path('timeout.pid')
        start = time.monotonic()
        res = self.run_cmd(f'sleep 30 & echo $! > {pidfile}; sleep 30', wait=8, timeout=1)
        elapsed = time.monotonic() - start
        bg = read_pidfile(pidfile)
        self.agent.children.append(bg)
        self.assertTrue(res['timed_out'])
        self.assertEqual((res['status'], res['signal']), (None, signal.SIGKILL))
        self.assertLess(elapsed, 15, 'the 1 s timeout waited for the 30 s sleep')   # a hang catcher
        self.assertGreaterEqual(res['duration'], 0.9)
        self.assertTrue(wait_until(lambda: pid_gone(bg)), f'background sleep {bg} survived')

    def test_run_cap_and_truncation(self):
        res = self.run_cmd('head -c 3000000 /dev/zero; echo "rc=$?" >&2; head -c 100 /dev/zero >&2')
        self.assertEqual(len(res['stdout']), 1048576)
        self.assertTrue(res['stdout_truncated'])
        # Drained past the cap: head wrote everything and exited 0 (no SIGPIPE, no block).
        self.assertEqual(res['stderr'], b'rc=0\n' + b'\0' * 100)
        self.assertFalse(res['stderr_truncated'])
        res = self.run_cmd('printf 0123456789abcdef; printf 0123456789 >&2', cap=10)
        self.assertEqual((res['stdout'], res['stdout_truncated']), (b'0123456789', True))
        self.assertEqual((res['stderr'], res['stderr_truncated']), (b'0123456789', False))

    def test_requests_run_concurrently(self):
        # The slow command ends only when the test says so (a file appears), so the ping's answer must come
        # while it runs, however loaded the machine is.
        flag = self.path('concurrent.go')
        slow = self.agent.request('run', cmd=f'for i in $(seq 1200); do [ -e {flag} ] && exit 0; sleep 0.05; done; exit 1')
        fast = self.agent.request('ping')
        op, _, _ = self.agent.result(fast, timeout=TIMEOUT)
        self.assertEqual(op, OK)
        self.assertEqual(self.agent.pending(slow), [], 'the slow command answered before the ping')
        open(flag, 'w').close()
        op, res, _ = self.agent.result(slow, timeout=2 * TIMEOUT)
        self.assertEqual((op, res['status']), (OK, 0))
        with self.agent.cond:
            order = [rid for _, rid in self.agent.order]
        self.assertLess(order.index(fast), order.index(slow))

    def test_cancel_running_command(self):
        pidfile = self.path('cancel.pid')
        rid = self.agent.request('run', cmd=f'echo $$ > {pidfile}; exec sleep 30')
        pid = read_pidfile(pidfile)
        self.agent.children.append(pid)
        start = time.monotonic()
        self.agent.send(CANCEL, rid)
        op, value, _ = self.agent.result(rid, timeout=15)
        self.assertLess(time.monotonic() - start, 15, 'the cancel waited for the 30 s sleep')   # a hang catcher
        self.assertEqual((op, value['type']), (ERR, 'Cancelled'))
        self.assertTrue(wait_until(lambda: pid_gone(pid)), f'cancelled sleep {pid} survived')
        time.sleep(0.3)
        self.assertEqual(self.agent.pending(rid), [], 'a second answer after Cancelled')
        self.agent.send(CANCEL, rid)   # already over: ignored
        self.agent.ok('ping')
        self.assertEqual(self.agent.pending(rid), [])

    def test_children_cannot_corrupt_the_stream(self):
        # fd 1 of the agent is its stderr now; protocol fds are not inherited.
        res = self.run_cmd('for fd in 1 3 4 5 6 7 8 9 10 11 12; do echo JUNK-$fd >&$fd; done 2>/dev/null; true')
        self.assertIn(b'JUNK-1', res['stdout'])
        res = self.agent.ok('exec', source=(
            "import os, subprocess\n"
            "os.write(1, b'NOISE-FD1\\n')\n"
            "os.system('echo NOISE-SYSTEM; echo NOISE-SYSTEM-ERR >&2')\n"
            "subprocess.call(['sh', '-c', 'echo NOISE-SUBPROCESS'])\n"
            "print('captured')\n"))
        self.assertEqual(res['stdout'], 'captured\n')
        self.agent.ok('ping')
        self.assertTrue(wait_until(lambda: b'NOISE-SUBPROCESS' in self.agent.stderr))
        for noise in (b'NOISE-FD1', b'NOISE-SYSTEM'):
            self.assertIn(noise, self.agent.stderr)

    def test_concurrent_frames_never_interleave(self):
        data = os.urandom(256 * 1024)
        source = self.path('stress.bin')
        with open(source, 'wb') as f:
            f.write(data)
        fetches = [self.agent.request('fetch', path=source, chunk=997) for _ in range(8)]
        others = [self.agent.request('ping') for _ in range(10)]
        others += [self.agent.request('exec', source='print("x" * 5000)') for _ in range(10)]
        for rid in fetches:
            op, _, chunks = self.agent.result(rid, timeout=30)
            self.assertEqual((op, b''.join(chunks)), (OK, data))
        for rid in others:
            self.assertEqual(self.agent.result(rid)[0], OK)

    # ------------------------------------------------------------ call

    def test_call_ok(self):
        self.assertEqual(self.agent.ok('call', func='os.path.exists', args=['/']),
                         {'value': True, 'stdout': ''})
        res = self.agent.ok('call', func='json.dumps', args=[{'b': 1, 'a': [1, None]}],
                            kwargs={'sort_keys': True})
        self.assertEqual(res['value'], '{"a": [1, null], "b": 1}')
        self.assertEqual(self.agent.ok('call', func='socket.gethostname')['value'], socket.gethostname())
        self.assertIsInstance(self.agent.ok('call', func='platform.platform')['value'], str)
        self.assertEqual(len(self.agent.ok('call', func='os.getloadavg')['value']), 3)
        self.assertEqual(self.agent.ok('call', func='divmod', args=[7, 3])['value'], [2, 1])  # tuple
        res = self.agent.ok('call', func='builtins.print', args=['hello', 42])
        self.assertEqual(res, {'value': None, 'stdout': 'hello 42\n'})

    def test_call_remote_exception(self):
        err = self.agent.err('call', func='json.loads', args=['{bad'])
        self.assertEqual(err['type'], 'JSONDecodeError')
        self.assertTrue(err['msg'])
        self.assertIn('Traceback', err['tb'])
        self.assertIn('JSONDecodeError', err['tb'])
        self.assertEqual(self.agent.err('call', func='sys.exit', args=[3])['type'], 'SystemExit')

    def test_call_not_serialisable(self):
        err = self.agent.err('call', func='os.getcwdb')
        self.assertEqual(err['type'], 'TypeError')
        self.assertIn('os.getcwdb', err['msg'])
        self.assertIn('(bytes)', err['msg'])

    def test_call_non_finite_and_big_values_travel_exactly(self):
        self.assertTrue(math.isnan(self.agent.ok('call', func='float', args=['nan'])['value']))
        self.assertEqual(self.agent.ok('call', func='float', args=['-inf'])['value'], float('-inf'))
        self.assertEqual(self.agent.ok('call', func='pow', args=[2, 70])['value'], 2 ** 70)
        self.assertEqual(repr(self.agent.ok('call', func='float', args=[2])['value']), '2.0')

    def test_call_literal_arguments(self):
        def call(func, *texts, **kw):
            return self.agent.ok('call', func=func, args_src=list(texts), kwargs_src=kw)['value']
        self.assertEqual(call('str', '10121071034790721094712093712037123'), '10121071034790721094712093712037123')
        self.assertEqual(call('repr', "b'\\x00'"), "b'\\x00'")
        self.assertEqual(call('repr', '(1, 2)'), '(1, 2)')
        self.assertEqual(call('repr', '[1, null, true]'), '[1, None, True]')
        self.assertEqual(call('repr', '/etc/hosts'), "'/etc/hosts'")
        self.assertEqual(call('repr', 'eth0'), "'eth0'")
        self.assertEqual(call('int', "'0x1F'", base='0'), 31)
        for broken in ('[1, 2', '1.2.3', '0755', "'open"):
            err = self.agent.err('call', func='repr', args_src=[broken])
            self.assertEqual(err['type'], 'ValueError')
            self.assertIn(f'cannot read argument {broken!r}', err['msg'])

    def test_traceback_of_a_c_function_has_its_header(self):
        err = self.agent.err('call', func='operator.truediv', args=[1, 0])
        self.assertEqual(err['tb'], 'Traceback (most recent call last):\nZeroDivisionError: division by zero\n')

    def test_call_bad_names(self):
        err = self.agent.err('call', func='no_such_module_chop.fn')
        self.assertEqual(err['type'], 'ImportError')
        self.assertIn('no_such_module_chop.fn', err['msg'])
        err = self.agent.err('call', func='os.path.no_such_fn')
        self.assertEqual(err['type'], 'AttributeError')
        self.assertIn('os.path.no_such_fn', err['msg'])
        err = self.agent.err('call', func='os.sep')
        self.assertEqual(err['type'], 'TypeError')
        self.assertIn('not callable', err['msg'])

    # ------------------------------------------------------------ exec

    def test_exec_namespace_persists(self):
        self.assertEqual(self.agent.ok('exec', source='chop_x = 41\nimport math'),
                         {'value': None, 'repr': None, 'stdout': '', 'stderr': ''})
        self.assertEqual(self.agent.ok('exec', source='chop_x + 1')['value'], 42)
        self.assertEqual(self.agent.ok('exec', source='y = 2\nmath.floor(2.5) * y')['value'], 4)
        self.assertEqual(self.agent.ok('exec', source='[chop_x, "s", {"k": (1, 2)}]')['value'],
                         [41, 's', {'k': [1, 2]}])

    def test_exec_repr_fallback(self):
        res = self.agent.ok('exec', source='object()')
        self.assertIsNone(res['value'])
        self.assertTrue(res['repr'].startswith('<object object at'))
        self.assertEqual(self.agent.ok('exec', source='b"\\xff"')['repr'], "b'\\xff'")
        # Text goes out as valid UTF-8 JSON; a lone surrogate cannot, and becomes '?'.
        self.assertEqual(self.agent.ok('exec', source="'\u00e9\u2603 a\\udcffb'")['value'],
                         '\u00e9\u2603 a?b')

    def test_exec_captures_output(self):
        res = self.agent.ok('exec', source=(
            "import sys\nprint('hello')\nprint('oops', file=sys.stderr)\n"
            "sys.stdout.write('more\\n')\nNone"))
        self.assertEqual((res['stdout'], res['stderr']), ('hello\nmore\n', 'oops\n'))
        self.assertNotIn(b'hello', self.agent.stderr)

    def test_exec_errors(self):
        err = self.agent.err('exec', source='def chop_f():\n    raise ValueError("boom")\nchop_f()')
        self.assertEqual((err['type'], err['msg']), ('ValueError', 'boom'))
        self.assertIn('chop_f', err['tb'])
        self.assertIn('raise ValueError("boom")', err['tb'])
        self.assertNotIn('chop_agent.py', err['tb'])
        err = self.agent.err('exec', source='def (:')
        self.assertEqual(err['type'], 'SyntaxError')

    # ------------------------------------------------------------ facts

    def test_facts_all(self):
        res = self.agent.ok('facts', names=None)
        facts = res['facts']
        self.assertEqual(set(facts), {'hostname', 'fqdn', 'ip', 'os', 'kernel', 'arch', 'python_version',
                                      'uptime', 'loadavg', 'cpus', 'memory', 'disk'})
        self.assertEqual(res['errors'], {})
        self.assertEqual(facts['hostname'], socket.gethostname())
        self.assertIsInstance(facts['fqdn'], str)
        parts = facts['ip'].split('.')
        self.assertEqual(len(parts), 4, facts['ip'])
        self.assertTrue(all(p.isdigit() for p in parts), facts['ip'])
        self.assertEqual(set(facts['os']), {'id', 'name', 'version_id', 'pretty_name'})
        self.assertEqual(facts['kernel'], platform.release())
        self.assertEqual(facts['arch'], platform.machine())
        self.assertEqual(facts['python_version'], platform.python_version())
        self.assertIsInstance(facts['uptime'], float)
        self.assertEqual(len(facts['loadavg']), 3)
        self.assertTrue(all(isinstance(x, float) for x in facts['loadavg']))
        self.assertEqual(facts['cpus'], os.cpu_count())
        self.assertEqual(set(facts['memory']), {'total', 'available'})
        self.assertGreaterEqual(facts['memory']['total'], facts['memory']['available'])
        self.assertGreater(facts['memory']['available'], 0)
        self.assertEqual(set(facts['disk']), {'path', 'total', 'used', 'free'})
        self.assertEqual(facts['disk']['path'], '/')
        if os.path.exists('/etc/os-release'):
            self.assertIsNotNone(facts['os']['id'])
        self.assertEqual(self.agent.ok('facts')['facts'].keys(), facts.keys())   # names absent

    def test_facts_named_and_unknown(self):
        res = self.agent.ok('facts', names=['cpus', 'hostname'])
        self.assertEqual(set(res['facts']), {'cpus', 'hostname'})
        err = self.agent.err('facts', names=['hostname', 'bogus'])
        self.assertIn('bogus', err['msg'])
        self.assertIn('memory', err['msg'])   # lists the known names

    # ------------------------------------------------------------ put

    def put(self, data, path=None, mode=0o644, chunk=262144, sha1=None, size=None):
        rid = self.agent.request('put', path=path, mode=mode, size=len(data))
        for i in range(0, len(data), chunk):
            self.agent.send(DATA, rid, data[i:i + chunk])
        end = {'sha1': sha1 or hashlib.sha1(data).hexdigest(), 'size': len(data) if size is None else size}
        self.agent.send(END, rid, json.dumps(end).encode())
        return self.agent.result(rid)[:2]

    def test_put_with_path_multi_chunk(self):
        data = os.urandom(3 * 1024 * 1024 + 17)
        target = self.path('put/dest.bin')
        os.makedirs(os.path.dirname(target))
        op, res = self.put(data, target, mode=0o640)
        self.assertEqual(op, OK, res)
        self.assertEqual(res, {'remote_path': target, 'size': len(data),
                               'sha1sum': hashlib.sha1(data).hexdigest(), 'mode': 0o640, 'changed': True})
        with open(target, 'rb') as f:
            self.assertEqual(f.read(), data)
        self.assertEqual(os.stat(target).st_mode & 0o777, 0o640)
        self.assertEqual(os.listdir(os.path.dirname(target)), ['dest.bin'])   # no temp left
        op, res = self.put(b'replaced', target, mode=0o600)   # replaces atomically
        self.assertEqual(op, OK, res)
        with open(target, 'rb') as f:
            self.assertEqual(f.read(), b'replaced')
        self.assertEqual(os.stat(target).st_mode & 0o777, 0o600)

    def test_put_without_path(self):
        op, res = self.put(b'hello temp', None, mode=0o600)
        self.assertEqual(op, OK, res)
        try:
            self.assertTrue(os.path.isabs(res['remote_path']))
            self.assertTrue(os.path.basename(res['remote_path']).startswith('chop-'))
            with open(res['remote_path'], 'rb') as f:
                self.assertEqual(f.read(), b'hello temp')
            self.assertEqual(os.stat(res['remote_path']).st_mode & 0o777, 0o600)
        finally:
            os.unlink(res['remote_path'])
        op, res = self.put(b'', None)   # empty file, no DATA at all
        self.assertEqual((op, res['size']), (OK, 0))
        os.unlink(res['remote_path'])

    def test_put_checksum_mismatch(self):
        directory = self.path('mismatch')
        os.makedirs(directory)
        target = os.path.join(directory, 'f')
        op, err = self.put(b'some data' * 1000, target, chunk=1000, sha1='0' * 40)
        self.assertEqual(op, ERR)
        self.assertIn('checksum mismatch', err['msg'])
        op, err = self.put(b'some data', target, size=3)
        self.assertEqual(op, ERR)
        self.assertEqual(os.listdir(directory), [])

    def test_put_missing_directory(self):
        target = self.path('no/such/dir/file')
        rid = self.agent.request('put', path=target, mode=0o644, size=4)
        op, err, _ = self.agent.result(rid)   # answered before any data is sent
        self.assertEqual(op, ERR)
        self.assertIn(os.path.dirname(target), err['msg'])
        self.agent.send(DATA, rid, b'data')
        self.agent.send(END, rid, json.dumps({'sha1': hashlib.sha1(b'data').hexdigest(), 'size': 4}).encode())
        self.agent.ok('ping')
        self.assertEqual(self.agent.pending(rid), [])

    def test_put_cancel(self):
        directory = self.path('cancelled')
        os.makedirs(directory)
        rid = self.agent.request('put', path=os.path.join(directory, 'f'), mode=0o644, size=10)
        self.agent.send(DATA, rid, b'12345')
        self.agent.send(CANCEL, rid)
        op, err, _ = self.agent.result(rid)
        self.assertEqual((op, err['type']), (ERR, 'Cancelled'))
        self.assertEqual(os.listdir(directory), [])

    # ------------------------------------------------------------ fetch

    def test_fetch(self):
        data = os.urandom(1024 * 1024 + 3)
        source = self.path('fetch.bin')
        with open(source, 'wb') as f:
            f.write(data)
        os.chmod(source, 0o600)
        op, res, chunks = self.agent.result(self.agent.request('fetch', path=source, chunk=65536))
        self.assertEqual(op, OK, res)
        self.assertEqual(b''.join(chunks), data)
        self.assertEqual(len(chunks), 17)
        # The source's permission bits, so chop's copy is never wider than the file it came from.
        self.assertEqual(res, {'remote_path': source, 'size': len(data),
                               'sha1sum': hashlib.sha1(data).hexdigest(), 'mode': 0o600})
        os.chmod(source, 0o4750)
        self.assertEqual(self.agent.ok('fetch', path=source)['mode'], 0o4750)   # the controller drops set-id bits
        op, res, chunks = self.agent.result(self.agent.request('fetch', path=source))
        self.assertEqual((op, len(chunks), b''.join(chunks)), (OK, 5, data))   # 256 KiB default

    def test_fetch_errors(self):
        missing = self.path('nope.txt')
        rid = self.agent.request('fetch', path=missing)
        op, err, chunks = self.agent.result(rid)
        self.assertEqual((op, err['type'], chunks), (ERR, 'FileNotFoundError', []))
        self.assertIn(missing, err['msg'])
        err = self.agent.err('fetch', path=self.tmp)
        self.assertEqual(err['type'], 'IsADirectoryError')


class OwnAgentsTest(unittest.TestCase):
    """A temporary folder and agents of the test's own, all closed and removed afterwards."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix='chop-agent-test-')
        self.agents = []

    def tearDown(self):
        for agent in self.agents:
            agent.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def new_agent(self, **kw):
        agent = Agent(**kw)
        self.agents.append(agent)
        return agent


class LifecycleTest(OwnAgentsTest):
    """Bootstrap and exit behaviour: each test gets its own agent."""

    def test_put_over_the_file_size_limit_is_an_error_and_leaves_the_old_file(self):
        # RLIMIT_FSIZE: a write past it raises SIGXFSZ, which kills a process by default; the agent
        # ignores it, so the write fails with EFBIG and the put answers with an error.
        import resource
        limit = 1 << 20
        agent = self.new_agent(preexec=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))).start()
        target = os.path.join(self.tmp, 'app.conf')
        with open(target, 'w') as f:
            f.write('old content\n')
        data = b'x' * (4 * limit)
        rid = agent.request('put', path=target, mode=0o644, size=len(data))
        for i in range(0, len(data), 262144):
            agent.send(DATA, rid, data[i:i + 262144])
        agent.send(END, rid, json.dumps({'sha1': hashlib.sha1(data).hexdigest(), 'size': len(data)}).encode())
        op, err, _ = agent.result(rid)
        self.assertEqual(op, ERR, err)
        self.assertIn('File too large', err['msg'])
        self.assertIn(target, err['msg'])
        self.assertIn('time', agent.ok('ping'))   # the agent lives on
        with open(target) as f:
            self.assertEqual(f.read(), 'old content\n')
        self.assertEqual(os.listdir(self.tmp), ['app.conf'])

    def test_stub_matches_spec(self):
        with open(PROTOCOL) as f:
            lines = f.read().splitlines()
        start = next(i for i, line in enumerate(lines) if line.strip() == 'import os,sys')
        block = []
        for line in lines[start:]:
            if not line.startswith('    '):
                break
            block.append(line[4:])
        self.assertEqual('\n'.join(block) + '\n', STUB)

    def check_bad_length_exits_5(self, length):
        agent = self.new_agent().start()
        agent.write(struct.pack('>IBI', length, REQ, 1))
        self.assertEqual(agent.wait(), 5)
        self.assertTrue(wait_until(lambda: b'bad frame length' in agent.stderr), agent.stderr)

    def test_oversized_frame_exits_5(self):
        self.check_bad_length_exits_5(MAX_FRAME + 1)

    def test_undersized_frame_exits_5(self):
        self.check_bad_length_exits_5(4)

    def test_largest_frame_accepted(self):
        agent = self.new_agent().start()
        rid = agent.request('put', path=None, mode=0o600, size=MAX_FRAME - 5)
        data = b'x' * (MAX_FRAME - 5)
        agent.send(DATA, rid, data)
        agent.send(END, rid, json.dumps({'sha1': hashlib.sha1(data).hexdigest(), 'size': len(data)}).encode())
        op, res, _ = agent.result(rid, timeout=30)
        self.assertEqual(op, OK, res)
        os.unlink(res['remote_path'])

    def test_requests_are_served_by_the_thread_that_reads_them_and_a_slow_one_hands_reading_on(self):
        agent = self.new_agent().start()
        on_main = 'import threading; threading.current_thread() is threading.main_thread()'
        self.assertIs(agent.ok('exec', source=on_main)['value'], True)
        # A slow request moves reading to a new thread, which reads a ping meanwhile; once the slow one has
        # answered, its thread stops reading for good and the next request is served where it is read again:
        # inside the reader loop, not handed to a worker (two thread switches a request), and the threads the
        # agent started come down to one, the reader.
        slow = agent.request('call', func='time.sleep', args=[0.3])
        self.assertEqual(agent.result(agent.request('ping'), timeout=10)[0], OK)
        self.assertEqual(agent.result(slow, timeout=10)[0], OK)
        in_reader = "import traceback\n'reader_loop' in [f.name for f in traceback.extract_stack()]"
        self.assertIs(agent.ok('exec', source=in_reader)['value'], True)
        self.assertIs(agent.ok('exec', source=on_main)['value'], False)
        self.assertTrue(wait_until(lambda: agent.ok('exec', source='import _thread\n_thread._count()')['value'] == 1))
        # Again with a request too slow to wait for: a ping and a CANCEL are read while it runs (the generous
        # bounds catch a reader stuck behind the 30 s sleep, not a slow machine).
        slow = agent.request('call', func='time.sleep', args=[30])
        self.assertEqual(agent.result(agent.request('ping'), timeout=10)[0], OK)
        agent.send(CANCEL, slow)
        op, res, _ = agent.result(slow, timeout=10)
        self.assertEqual((op, res['type']), (ERR, 'Cancelled'))
        # Requests still run concurrently, each slow one handing reading on: four requests that each wait at a
        # barrier for all four pass it together.
        # Served one after another, the first would give up after 10 s with BrokenBarrierError.
        agent.ok('exec', source='import threading\nbarrier = threading.Barrier(4, timeout=10)\nseen = []')
        waiters = [agent.request('exec', source='seen.append(1)\nbarrier.wait()\nlen(seen)') for _ in range(4)]
        answers = [agent.result(rid, timeout=30)[:2] for rid in waiters]
        self.assertEqual([(op, value.get('value')) for op, value in answers], [(OK, 4)] * 4, answers)

    def test_readers_replaced_one_after_another_leave_one_reader(self):
        # A slow request hands reading on; the new reader's own slow request hands it on again while the first
        # still runs. When the first ends, its thread must not read again beside the newest reader: two readers
        # would split the frames between them. Frames written in pieces show it (a reader that takes a piece
        # misreads the rest as a length).
        agent = self.new_agent().start()
        first = agent.request('call', func='time.sleep', args=[0.5])
        time.sleep(0.05)
        second = agent.request('call', func='time.sleep', args=[0.2])
        self.assertEqual(agent.result(second, timeout=10)[0], OK)
        self.assertEqual(agent.result(first, timeout=10)[0], OK)
        for i in range(10):
            whole = frame(REQ, 5000 + i, json.dumps({'op': 'ping'}).encode())
            agent.write(whole[:12])
            time.sleep(0.02)
            agent.write(whole[12:])
            self.assertEqual(agent.result(5000 + i, timeout=10)[0], OK)
        self.assertIsNone(agent.proc.poll(), bytes(agent.stderr))
        self.assertTrue(wait_until(lambda: agent.ok('exec', source='import _thread\n_thread._count()')['value'] == 1))

    def test_compiled_agent_is_kept_and_checked(self):
        env = {'XDG_CACHE_HOME': self.tmp}
        cached = os.path.join(self.tmp, 'chop', f'agent-0123abcd.{sys.implementation.cache_tag}')
        agent = self.new_agent(key='0123abcd', env=env).start()
        self.assertEqual(agent.ok('ping').keys(), {'time'})
        self.assertTrue(wait_until(lambda: os.path.exists(cached)))
        self.assertEqual(os.stat(cached).st_mode & 0o777, 0o600)
        source = agent_source()
        # A copy behind the right CRC (of the compiled code) is what runs: this one says so on stderr first.
        marked = marshal.dumps(compile(b"import sys; sys.stderr.write('ran from the cache\\n')\n" + source, 'x', 'exec'))
        with open(cached, 'wb') as f:
            f.write(zlib.crc32(marked).to_bytes(4, 'big') + marked)
        agent = self.new_agent(key='0123abcd', env=env).start()
        self.assertEqual(agent.ok('ping').keys(), {'time'})
        self.assertTrue(wait_until(lambda: b'ran from the cache' in agent.stderr), agent.stderr)
        # A copy whose CRC does not match its code is not used, and is replaced.
        with open(cached, 'wb') as f:
            f.write(b'\0\0\0\0' + marked)
        agent = self.new_agent(key='0123abcd', env=env).start()
        self.assertEqual(agent.ok('ping').keys(), {'time'})
        self.assertNotIn(b'ran from the cache', agent.stderr)
        def intact():
            with open(cached, 'rb') as f:
                data = f.read()
            return data[:4] == zlib.crc32(data[4:]).to_bytes(4, 'big')
        self.assertTrue(wait_until(intact))
        # Without a key nothing is kept.
        shutil.rmtree(os.path.join(self.tmp, 'chop'))
        agent = self.new_agent(env=env).start()
        self.assertEqual(agent.ok('ping').keys(), {'time'})
        self.assertFalse(os.path.exists(os.path.join(self.tmp, 'chop')))

    def test_a_first_request_from_the_command_line_is_answered_before_the_source_arrives(self):
        # CHOP_FIRST (what chop puts in ssh's command line): with the compiled agent cached, the agent answers it
        # with nothing written to its stdin, the hello leading the answer in one write; then the source it did
        # not need arrives and is dropped, and the frames behind it are served as usual.
        env = {'XDG_CACHE_HOME': self.tmp}
        self.assertEqual(self.new_agent(key='0123abcd', env=env).start().ok('ping').keys(), {'time'})
        cached = os.path.join(self.tmp, 'chop', f'agent-0123abcd.{sys.implementation.cache_tag}')
        self.assertTrue(wait_until(lambda: os.path.exists(cached)))
        first = frame(REQ, 1, json.dumps({'op': 'run', 'cmd': 'echo first'}).encode())
        env['CHOP_FIRST'] = base64.b64encode(first).decode()
        agent = self.new_agent(key='0123abcd', env=env)
        op, value, _ = agent.result(1)
        self.assertEqual((op, base64.b64decode(value['stdout_b64'])), (OK, b'first\n'))
        self.assertEqual(agent.order[:2], [(HELLO, 0), (OK, 1)])
        agent.write(agent.source)
        self.assertNotIn(b'CHOP_FIRST', base64.b64decode(agent.ok('run', cmd='env')['stdout_b64']))
        self.assertEqual(agent.ok('ping').keys(), {'time'})

    def test_a_first_request_without_a_cached_agent_is_answered_once_the_source_came(self):
        first = frame(REQ, 7, json.dumps({'op': 'ping'}).encode())
        agent = self.new_agent(env={'CHOP_FIRST': base64.b64encode(first).decode()})
        time.sleep(0.2)
        self.assertEqual(agent.pending(7), [])   # it needs its source first
        agent.write(agent.source)
        op, value, _ = agent.result(7)
        self.assertEqual((op, value.keys()), (OK, {'time'}))
        self.assertEqual(agent.order[:2], [(HELLO, 0), (OK, 7)])
        self.assertEqual(agent.ok('ping').keys(), {'time'})

    def test_a_first_request_that_is_not_one_req_frame_ends_the_agent(self):
        for text in ('not base64!', base64.b64encode(frame(DATA, 1, b'{}')).decode(),
                     base64.b64encode(frame(REQ, 1, b'{"op": "ping"}')[:-1]).decode()):
            agent = self.new_agent(env={'CHOP_FIRST': text})
            agent.write(agent.source)
            self.assertEqual(agent.wait(), 5, text)
            self.assertIn(b'first request', agent.stderr)

    def test_compiled_agent_in_a_folder_others_can_write_is_not_used(self):
        # As sshd's StrictModes: a copy anyone else could have written is compiled afresh instead. The planted
        # copy leaves a file before the agent says hello, so its absence after a ping is proof.
        env = {'XDG_CACHE_HOME': self.tmp}
        folder = os.path.join(self.tmp, 'chop')
        cached = os.path.join(folder, f'agent-0123abcd.{sys.implementation.cache_tag}')
        ran = os.path.join(self.tmp, 'ran')
        source = agent_source()
        marked = compile(f"open({ran!r}, 'a').write('x')\n".encode() + source, 'x', 'exec')
        os.makedirs(folder, 0o700)

        def plant(folder_mode, file_mode):
            with open(cached, 'wb') as f:
                code = marshal.dumps(marked)
                f.write(zlib.crc32(code).to_bytes(4, 'big') + code)
            os.chmod(cached, file_mode)
            os.chmod(folder, folder_mode)
            agent = self.new_agent(key='0123abcd', env=env).start()
            self.assertEqual(agent.ok('ping').keys(), {'time'})
            return os.path.exists(ran)

        self.assertFalse(plant(0o777, 0o600))
        self.assertFalse(plant(0o770, 0o600))
        self.assertFalse(plant(0o700, 0o666))
        # The same copy in a folder only its owner can write is used.
        self.assertTrue(plant(0o700, 0o600))

    def check_exit_kills_children(self, how):
        agent = self.new_agent().start()
        pidfile = os.path.join(self.tmp, 'child.pid')
        agent.request('run', cmd=f'echo $$ > {pidfile}; exec sleep 30')
        pid = read_pidfile(pidfile)
        agent.children.append(pid)
        how(agent)
        self.assertEqual(agent.wait(), 0)
        self.assertTrue(wait_until(lambda: pid_gone(pid)), f'sleep {pid} outlived the agent')

    def test_eof_exits_0_and_kills_children(self):
        self.check_exit_kills_children(lambda agent: agent.proc.stdin.close())

    def test_sigterm_exits_0_and_kills_children(self):
        self.check_exit_kills_children(lambda agent: agent.proc.send_signal(signal.SIGTERM))

    def test_stub_short_source_exits_3(self):
        agent = self.new_agent()
        agent.write(agent.source[:100])
        agent.proc.stdin.close()
        self.assertEqual(agent.wait(), 3)

    def test_python27_too_old(self):
        if not PY27:
            # run_agent_tests.py fails a run with skips in CI, where pyenv's 2.7 is present.
            print('\nskipping: no Python 2.7 found (set CHOP_PY27)', file=sys.stderr)
            self.skipTest('no Python 2.7 found (set CHOP_PY27)')
        agent = self.new_agent(python=PY27)
        try:
            agent.write(agent.source)
        except OSError:
            pass   # it may exit before reading anything
        self.assertEqual(agent.wait(), 4)
        self.assertTrue(wait_until(lambda: b'too old' in agent.stderr), agent.stderr)
        self.assertIn(b'chop: python too old: 2.7', agent.stderr)
        self.assertIn(b'at ' + PY27.encode(), agent.stderr)


def lock_holder(lock):
    """The pid holding the flock on `lock` (from /proc/locks, by device and inode), or None."""
    st = os.stat(lock)
    where = f'{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino}'
    with open('/proc/locks') as f:
        for words in (line.split() for line in f):
            if len(words) > 5 and words[1] == 'FLOCK' and words[5] == where and int(words[4]) > 0:
                return int(words[4])
    return None


class LingerSocket(socket.socket):
    """A connection to a lingering agent, with the hello of the agent it got (`hello`)."""


class LingerTest(OwnAgentsTest):
    """CHOP_LINGER: the agent leaves one behind that starts the next run's agents (LingeringAgent in Swift)."""

    def setUp(self):
        super().setUp()
        self.lingering = []

    def tearDown(self):
        # Before the folder goes: every lingering agent a test left is ended by its pid (it holds the lock).
        for path in self.lingering:
            pid = lock_holder(path + '.lock') if os.path.exists(path + '.lock') else None
            if pid:
                os.kill(pid, signal.SIGTERM)
                self.assertTrue(wait_until(lambda pid=pid: pid_gone(pid)), f'lingering agent {pid} did not end')
        super().tearDown()

    def linger(self, seconds, key='0123abcd', master='', **env):
        env = dict({'XDG_CACHE_HOME': self.tmp, 'XDG_RUNTIME_DIR': self.tmp,
                    'CHOP_LINGER': f'{seconds}:{master}' if master else str(seconds)}, **env)
        agent = self.new_agent(key=key, env=env).start()
        path = agent.hello['linger']
        if path:
            self.lingering.append(path)
            self.assertTrue(wait_until(lambda: os.path.exists(path)), f'{path} never appeared')
        return agent, path

    def connect(self, path):
        self.assertTrue(wait_until(lambda: os.path.exists(path)), f'{path} never appeared')
        conn = LingerSocket(socket.AF_UNIX, socket.SOCK_STREAM)
        conn.settimeout(TIMEOUT)
        conn.connect(path)
        self.assertEqual(self.read_exact(conn, len(b'chop-agent-linger\n')), b'chop-agent-linger\n')
        length, op, rid = struct.unpack('>IBI', self.read_exact(conn, 9))
        self.assertEqual((op, rid), (HELLO, 0))
        conn.hello = json.loads(self.read_exact(conn, length - 5))
        return conn

    def read_exact(self, conn, n):
        data = b''
        while len(data) < n:
            chunk = conn.recv(n - len(data))
            if not chunk:
                raise AssertionError(f'the connection ended after {data!r}')
            data += chunk
        return data

    def request(self, conn, op, **params):
        params['op'] = op
        conn.sendall(frame(REQ, 5, json.dumps(params).encode()))
        while True:
            length, rop, _rid = struct.unpack('>IBI', self.read_exact(conn, 9))
            payload = self.read_exact(conn, length - 5)
            if rop in (OK, ERR):
                return rop, json.loads(payload)

    def test_a_lingering_agent_serves_each_connection_with_a_fresh_agent_and_holds_nothing_of_the_session(self):
        agent, path = self.linger(30)
        self.assertEqual(path, os.path.join(self.tmp, 'chop', os.path.basename(path)))
        self.assertEqual(os.stat(os.path.dirname(path)).st_mode & 0o777, 0o700)
        self.assertNotIn(b'CHOP_LINGER', unb64(agent.ok('run', cmd='env')['stdout_b64']))
        agent.proc.stdin.close()
        self.assertEqual(agent.wait(), 0)
        # Nothing the lingering agent holds is the session's: its stdout and stderr end with the agent.
        self.assertTrue(wait_until(lambda: agent.eof), 'the session stayed open')
        first, second = self.connect(path), self.connect(path)
        self.assertEqual(os.stat(path).st_mode & 0o777, 0o600)
        pids = {first.hello['pid'], second.hello['pid'], agent.hello['pid']}
        self.assertEqual(len(pids), 3)
        for conn in (first, second):
            op, value = self.request(conn, 'run', cmd='echo $PPID; env')
            self.assertEqual(op, OK)
            out = unb64(value['stdout_b64'])
            self.assertEqual(int(out.split()[0]), conn.hello['pid'])
            self.assertNotIn(b'CHOP_LINGER', out)
            self.assertIsNone(conn.hello['linger'])
            conn.close()

    def test_a_lingering_agent_ends_after_its_window_and_on_linger_end(self):
        agent, path = self.linger(1)
        agent.close()
        conn = self.connect(path)
        self.assertEqual(self.request(conn, 'ping')[0], OK)
        conn.close()
        started = time.monotonic()
        self.assertTrue(wait_until(lambda: not os.path.exists(path), timeout=20), 'it outlived its window')
        self.assertGreater(time.monotonic() - started, 1)   # the window counts from the last connection
        # The agent that started it counts as a connection: a first session longer than the window keeps it.
        agent, path = self.linger(1, master='m1')
        time.sleep(7)
        self.assertTrue(os.path.exists(path), 'it ended while the agent that started it ran')
        agent.close()
        self.assertTrue(wait_until(lambda: not os.path.exists(path), timeout=20), 'it outlived its window')
        agent, path = self.linger(60, key='4567abcd', master='m2')
        self.assertTrue(wait_until(lambda: os.path.exists(path)))
        self.assertEqual(agent.ok('linger_end'), {'ended': False}, 'another master\'s name: not this one')
        self.assertEqual(agent.ok('linger_end', key='m2'), {'ended': True})
        self.assertTrue(wait_until(lambda: not os.path.exists(path)), 'linger_end left it running')
        self.assertEqual(agent.ok('linger_end', key='m2'), {'ended': False})

    def test_one_lingering_agent_per_socket_and_none_without_a_key_or_a_private_folder(self):
        _agent, path = self.linger(30)
        self.assertTrue(wait_until(lambda: os.path.exists(path)))
        conn = self.connect(path)
        self.assertEqual(self.request(conn, 'run', cmd='echo $PPID')[0], OK)
        conn.close()
        lingering = lock_holder(path + '.lock')
        self.assertIsNotNone(lingering)
        _again, same = self.linger(30)
        self.assertEqual(same, path)   # the same socket, still served by the first one
        self.assertEqual(lock_holder(path + '.lock'), lingering)
        self.assertIsNone(self.new_agent(env={'CHOP_LINGER': '30', 'XDG_RUNTIME_DIR': self.tmp}).start()
                          .hello['linger'])
        os.chmod(os.path.dirname(path), 0o755)   # others may enter: not that folder
        _other, elsewhere = self.linger(30, key='89abcdef')
        self.assertNotEqual(elsewhere and os.path.dirname(elsewhere), os.path.dirname(path))
        _another, theirs = self.linger(30, master='m3')   # another master: its own
        self.assertNotEqual(theirs, path)


class PipelinedStartTest(unittest.TestCase):
    """chop writes its first requests right behind the agent's source, without waiting for the hello.

    The agent's stdout here is a SOCK_SEQPACKET socket: each write the agent makes arrives as one message, so
    the test sees how the agent grouped its frames into writes."""

    def start(self, *requests):
        """Starts an agent with `requests` (REQ frames) already waiting behind its source; returns a function
        that gives the agent's next write as a list of (op, id, payload)."""
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        source = agent_source()
        proc = subprocess.Popen([sys.executable, '-c', STUB, str(len(source))], stdin=subprocess.PIPE,
                                stdout=theirs.fileno(), stderr=subprocess.DEVNULL)
        theirs.close()
        proc.stdin.write(source + b''.join(requests))
        proc.stdin.flush()
        ours.settimeout(TIMEOUT)

        def cleanup():
            proc.stdin.close()
            proc.wait(TIMEOUT)
            ours.close()
        self.addCleanup(cleanup)

        def next_write():
            message, frames = ours.recv(MAX_FRAME + 9), []
            while message:
                length, op, rid = struct.unpack('>IBI', message[:9])
                frames.append((op, rid, message[9:4 + length]))
                message = message[4 + length:]
            return frames
        return next_write

    def test_hello_and_the_first_answer_leave_in_one_write_in_order(self):
        ping = frame(REQ, 1, b'{"op": "ping"}')
        call = frame(REQ, 2, b'{"op": "call", "func": "socket.gethostname"}')
        next_write = self.start(ping, call)
        first = next_write()
        self.assertEqual([(op, rid) for op, rid, _ in first], [(HELLO, 0), (OK, 1)])
        self.assertEqual(json.loads(first[0][2].decode())['agent'], 1)
        self.assertEqual([(op, rid) for op, rid, _ in next_write()], [(OK, 2)])

    def test_a_hello_with_no_request_behind_it_goes_alone(self):
        next_write = self.start()
        self.assertEqual([(op, rid) for op, rid, _ in next_write()], [(HELLO, 0)])

    def test_a_first_request_that_waits_does_not_hold_the_hello(self):
        # The command outlives the test (the agent's EOF at cleanup ends it): the hello must still come, alone.
        sleep = frame(REQ, 1, b'{"op": "run", "cmd": "sleep 30"}')
        next_write = self.start(sleep)
        self.assertEqual([(op, rid) for op, rid, _ in next_write()], [(HELLO, 0)])


class StartImportsTest(unittest.TestCase):
    def test_defining_the_agent_imports_neither_threading_nor_subprocess(self):
        """What the agent imports before its first answer, every host pays on every connect: threading (with
        functools and collections), contextlib, subprocess, re and base64 wait until a request needs them."""
        probe = ("import sys\n"
                 "exec(compile(sys.stdin.buffer.read(), 'chop_agent.py', 'exec'), {'__name__': 'probe'})\n"
                 "print(sorted(m for m in ('threading', 'contextlib', 'subprocess', 're', 'base64', 'queue', 'json')"
                 " if m in sys.modules))")
        done = subprocess.run([sys.executable, '-E', '-s', '-S', '-c', probe], input=agent_source(),  # noqa: UP022 -- 3.6
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT, check=False)
        self.assertEqual(done.stdout.decode().strip(), '[]', done.stderr.decode())


class ShippedCodeTest(unittest.TestCase):
    """The import hook: after `ship`, importing a shipped name sends WANT and waits for SHIPPED,
    with the request served inline on the reader (which must hand reading over first)."""

    def setUp(self):
        self.agent = Agent().start()

    def tearDown(self):
        self.agent.close()

    def next_want(self):
        """The next WANT frame's id and query, removed from the agent's frames."""
        agent = self.agent
        with agent.cond:
            agent.cond.wait_for(lambda: any(op == WANT for op, _ in agent.order) or agent.eof, TIMEOUT)
            index = next(i for i, (op, _) in enumerate(agent.order) if op == WANT)
            _, wid = agent.order.pop(index)
            frames = agent.frames[wid]
            position = next(i for i, (op, _) in enumerate(frames) if op == WANT)
            _, payload = frames.pop(position)
        return wid, json.loads(payload.decode('utf-8'))

    def test_a_shipped_module_is_asked_for_once_and_imported(self):
        agent = self.agent
        self.assertEqual(agent.ok('ship', roots=['pm'])['roots'], ['pm'])
        rid = agent.request('call', func='pm.f')
        wid, query = self.next_want()
        self.assertEqual(query, {'module': 'pm'})
        source = b64(b'def f():\n    return 7\n')
        agent.send(SHIPPED, wid, json.dumps({'found': True, 'package': False, 'file': 'pm.py',
                                             'source': source}).encode())
        op, value, _ = agent.result(rid)
        self.assertEqual((op, value['value']), (OK, 7))
        # Cached for the connection: no second WANT, even after the module is dropped.
        value = agent.ok('exec', source="import sys\ndel sys.modules['pm']\nimport pm\npm.f()")
        self.assertEqual(value['value'], 7)
        self.assertFalse(any(op == WANT for op, _ in agent.order))

    def test_a_garbled_or_negative_answer_is_an_import_error_and_the_agent_lives_on(self):
        agent = self.agent
        agent.ok('ship', roots=['pm2'])
        rid = agent.request('call', func='pm2.g')
        wid, _ = self.next_want()
        agent.send(SHIPPED, wid, b'\xff not json')
        op, value, _ = agent.result(rid)
        self.assertEqual(op, ERR)
        self.assertIn('ImportError', value['type'] + value['msg'])
        agent.ok('ship', roots=['pm3'])
        rid = agent.request('exec', source='import pm3')
        wid, query = self.next_want()
        self.assertEqual(query, {'module': 'pm3'})
        agent.send(SHIPPED, wid, json.dumps({'found': False, 'msg': 'no'}).encode())
        op, value, _ = agent.result(rid)
        self.assertEqual((op, value['type']), (ERR, 'ModuleNotFoundError'))
        # Names outside the shipped roots never reach chop; bad roots are refused.
        agent.err('exec', source='import not_shipped_anywhere')
        self.assertFalse(any(op == WANT for op, _ in agent.order))
        self.assertEqual(agent.err('ship', roots=['../x'])['type'], 'ValueError')
        self.assertIn('time', agent.ok('ping'))


class CallArgumentFuzzTest(unittest.TestCase):
    """Seeded fuzzing of how the agent reads call arguments (read_literal: ast.literal_eval, then
    JSON, then the word itself): random and mutated texts give a value or a Failure with a one-line
    message, never another exception, a hang or a dead agent. A failure names its seed;
    CHOP_FUZZ_SEED=<seed> replays that case alone."""

    CORPUS = ('2', '70', '-1', '2.5', '1e999', '-0x10', '0o17', '1_000', '1j', '-1-2j', "b'raw'", "rb'\\x00'",
              "'(1, 2)'", '(1, 2)', "{'a': 1}", '[1, null]', '{"k": [true, false]}', 'true', 'None', 'set()',
              '{1, 2}', "'''x'''", "u'x'", '/etc/hosts', 'eth0', '[[[[1]]]]', '((((1,),),),)', '"a\\"b"')
    TOKENS = ('(', ')', '[', ']', '{', '}', "'", '"', '\\', ',', ':', '.', '-', '+', 'e', 'j', 'b', 'x', '0',
              '\x00', '\n', '\t', '\x1b', '\u00e9', '\U0001f642', '9' * 5000, '(' * 300, '[' * 5000, '{' * 120,
              '1,' * 2000, 'lambda: 0', '__import__("os")', '**', 'True', 'null', '#')
    CASES = int(os.environ.get('CHOP_FUZZ_CASES') or 100000)   # fewer for each pyenv version (PythonVersionTests)
    AGENT_CASES = 300

    @classmethod
    def setUpClass(cls):
        cls.namespace = {'__name__': 'chop_agent_under_fuzz'}
        exec(compile(agent_source(), 'chop_agent.py', 'exec'), cls.namespace)   # noqa: S102 -- main() does not run

    @staticmethod
    def seeds(base, count):
        replay = os.environ.get('CHOP_FUZZ_SEED')
        if replay:
            return [int(replay, 0)]
        return [(base + i * 0xD1B54A32D192ED03) % (1 << 64) for i in range(count)]

    def text(self, rng):
        if rng.random() < 0.2:
            return ''.join(chr(rng.choice((rng.randrange(32, 127), rng.randrange(0, 32), rng.randrange(0xA0, 0xD800))))
                           for _ in range(rng.randrange(0, 40)))
        text = rng.choice(self.CORPUS)
        for _ in range(rng.randrange(1, 5)):
            at = rng.randrange(0, len(text) + 1)
            kind = rng.randrange(4)
            if kind == 0:
                text = text[:at] + rng.choice(self.TOKENS) + text[at:]
            elif kind == 1:
                text = text[:at] + text[at + rng.randrange(1, 6):]
            elif kind == 2:
                text = text[:at] + text[at:at + 8] * rng.randrange(2, 4) + text[at:]
            else:
                text = text[:at] + rng.choice(self.CORPUS) + text[at:]
        return text

    def test_read_literal_gives_a_value_or_a_one_line_failure(self):
        read_literal, failure = self.namespace['read_literal'], self.namespace['Failure']
        started = time.monotonic()
        seeds = self.seeds(0xCA110001, self.CASES)
        for seed in seeds:
            text = self.text(random.Random(seed))
            try:
                read_literal(text)
            except failure as e:
                msg = e.payload['msg']
                if not msg or '\n' in msg or '\r' in msg:
                    self.fail(f'message {msg!r} for {text!r} is not one line -- replay with CHOP_FUZZ_SEED={seed}')
            except BaseException as e:   # noqa: BLE001 -- any other exception is the bug
                self.fail(f'{type(e).__name__}: {e} for {text!r} -- replay with CHOP_FUZZ_SEED={seed}')
        elapsed = time.monotonic() - started
        print(f'\nfuzz read_literal: {len(seeds)} cases in {elapsed:.2f} s', file=sys.stderr)
        self.assertLess(elapsed, 60, 'reading call arguments got pathologically slow')

    def test_a_live_agent_answers_every_fuzzed_call(self):
        agent = Agent().start()
        try:
            for seed in self.seeds(0xCA110002, self.AGENT_CASES):
                rng = random.Random(seed)
                texts = [self.text(rng) for _ in range(rng.randrange(1, 4))]
                rop, value, _ = agent.result(agent.request('call', func='builtins.repr', args_src=texts))
                replay = f' for {texts!r} -- replay with CHOP_FUZZ_SEED={seed}'
                if rop == OK:
                    self.assertIsInstance(value.get('value'), str, f'{value!r}{replay}')
                else:
                    msg = value.get('msg') or ''
                    self.assertTrue(msg and '\n' not in msg, f'error {value!r}{replay}')
            self.assertIn('time', agent.ok('ping'))   # still answering
        finally:
            agent.close()


if __name__ == '__main__':
    # This file's tests only: run_agent_tests.py runs every agent test file (this one and its neighbours).
    print(f'agent tests: {sys.executable} ({platform.python_version()}) '
          f'against {os.path.normpath(AGENT) if AGENT else os.path.normpath(AGENT_DIR) + "/agent_*.py"}', file=sys.stderr)
    unittest.main(verbosity=2)
