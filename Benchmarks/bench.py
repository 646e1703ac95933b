"""chop against the OpenSSH floor, pssh, clush, pdsh and chopsticks 1.0, in one run (see Benchmarks/run).

Every tool reaches the same loopback fleet through the same ~/.ssh/config (HOME is a folder of this run), so
they all use the user's ssh settings and nothing weakens the key exchange. Each figure is the median of
repeated runs with min-max; ratios compare chop with the anchor measured in the same run.
"""

import argparse
import json
import os
import pty
import select
import selectors
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = tempfile.mkdtemp(prefix='chop-bench-')
HOME = os.path.join(ROOT, 'home')
ENV = dict(os.environ, HOME=HOME, XDG_STATE_HOME=os.path.join(ROOT, 'state'), NO_COLOR='1')
ENV.pop('PAGER', None)
# The system's tools only (no pyenv or other shims): on the loopback "hosts" python3 is the system's, as on a
# server, and every tool finds the same ssh wrapper first.
SWIFT = shutil.which('swift') or 'swift'   # found on the user's PATH, before the fleet's PATH replaces it
ENV['PATH'] = os.path.join(ROOT, 'bin') + ':/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
CONFIG = os.path.join(ROOT, 'ssh_config')


def sh(argv, **kw):
    if 'input' not in kw:
        kw['stdin'] = subprocess.DEVNULL   # pssh waits for stdin when it is not a terminal
    done = subprocess.run(argv, env=ENV, capture_output=True, check=False, **kw)
    if done.returncode != 0:
        sys.exit(f'{" ".join(argv)[:200]} failed ({done.returncode}): {done.stdout[-400:]!r} {done.stderr[-400:]!r}')
    return done


def address(i):
    """The i-th alias's own loopback address: 127.0.1.1, 127.0.1.2, ... (never .0 or .255)."""
    return f'127.0.{1 + (i - 1) // 250}.{1 + (i - 1) % 250}'


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


class Fleet:
    """One sshd listening on n loopback addresses, aliases bench1..benchN in ~/.ssh/config."""

    def __init__(self, n):
        self.n, self.port = n, free_port()
        d = os.path.join(ROOT, 'sshd')
        ssh = os.path.join(HOME, '.ssh')
        os.makedirs(d)
        os.makedirs(ssh, mode=0o700)
        sh(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', f'{d}/host_key'])
        sh(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', f'{ssh}/id_ed25519'])
        shutil.copy(f'{ssh}/id_ed25519.pub', f'{d}/authorized_keys')
        # sshd listens on at most 16 addresses (MAX_LISTEN_SOCKS): one sshd per 16 aliases, all on one port.
        # SetEnv HOME points remote shells at an empty folder, so no login script slows any tool down.
        remote_home = os.path.join(ROOT, 'remote-home')
        os.makedirs(remote_home)
        self.configs = []
        for first in range(1, n + 1, 16):
            listen = '\n'.join(f'ListenAddress {address(i)}:{self.port}' for i in range(first, min(n, first + 15) + 1))
            config = f'{d}/sshd_config.{first}'
            with open(config, 'w') as f:
                f.write(f'{listen}\nHostKey {d}/host_key\nAuthorizedKeysFile {d}/authorized_keys\n'
                        f'PidFile {d}/sshd.{first}.pid\nPermitRootLogin yes\nPasswordAuthentication no\n'
                        'MaxStartups 2000:30:2000\nMaxSessions 100\nUsePAM no\nStrictModes no\nLogLevel ERROR\n'
                        f'Subsystem sftp internal-sftp\nSetEnv HOME={remote_home}\n')
            self.configs.append(config)
        with open(f'{d}/host_key.pub') as f:
            key = ' '.join(f.read().split()[:2])
        with open(f'{ssh}/known_hosts', 'w') as f:
            f.writelines(f'[{address(i)}]:{self.port} {key}\n' for i in range(1, n + 1))
        # ssh reads the config of the passwd home, not $HOME: every tool gets it through an `ssh` on PATH that
        # adds -F (scp takes -F itself).
        with open(CONFIG, 'w') as f:
            f.writelines(f'Host bench{i}\n    HostName {address(i)}\n    Port {self.port}\n    User root\n'
                         for i in range(1, n + 1))
            f.write(f'Host *\n    BatchMode yes\n    StrictHostKeyChecking yes\n    ControlMaster no\n'
                    f'    IdentityFile {ssh}/id_ed25519\n    UserKnownHostsFile {ssh}/known_hosts\n')
        os.makedirs(os.path.join(ROOT, 'bin'))
        wrapper = os.path.join(ROOT, 'bin', 'ssh')
        with open(wrapper, 'w') as f:
            f.write(f'#!/bin/sh\nexec /usr/bin/ssh -F {CONFIG} "$@"\n')
        os.chmod(wrapper, 0o755)
        os.makedirs('/run/sshd', exist_ok=True)
        self.procs = [subprocess.Popen(['/usr/sbin/sshd', '-D', '-f', config], env=ENV) for config in self.configs]
        for i in range(1, n + 1, 15):
            for _ in range(100):
                try:
                    socket.create_connection((address(i), self.port), 0.2).close()
                    break
                except OSError:
                    time.sleep(0.1)
            else:
                sys.exit(f'sshd does not answer on {address(i)}:{self.port}')
        with open(os.path.join(ROOT, 'hosts'), 'w') as f:
            f.write(''.join(f'bench{i}\n' for i in range(1, n + 1)))

    def stop(self):
        for proc in self.procs:
            proc.terminate()
        for proc in self.procs:
            proc.wait(10)


def measure(fn, repeats):
    """Median, min and max seconds of repeated calls; fn returns seconds itself or None to time the call."""
    return measure_together([fn], repeats)[0]


def measure_together(fns, repeats):
    """measure() of each of fns, taking turns (each runs once per round): a machine that slows down or speeds up
    during the run does so for every tool alike, so the ratios between them hold."""
    times = [[] for _ in fns]
    for _ in range(repeats):
        for fn, kept in zip(fns, times):
            start = time.monotonic()
            took = fn()
            kept.append(took if took is not None else time.monotonic() - start)
    return [(statistics.median(t), min(t), max(t)) for t in times]


def fmt(m):
    if m is None:
        return '—'
    med, lo, hi = m
    unit, scale = ('ms', 1000) if med < 1 else ('s', 1)
    return f'{med * scale:.1f} {unit} ({lo * scale:.1f}–{hi * scale:.1f})'


def aliases(n):
    return [f'bench{i}' for i in range(1, n + 1)]


# ---------------------------------------------------------------- the tools

def floor(n):
    procs = [subprocess.Popen(['ssh', h, 'python3', '-c', 'pass'], env=ENV) for h in aliases(n)]
    assert all(p.wait() == 0 for p in procs)


def chop_cold(chop, n):
    sh([chop, '-q', '--persist', 'off', '-c', f'add bench[1-{n}]; run hostname'])


def pssh(n):
    sh(['parallel-ssh', '-h', os.path.join(ROOT, 'hosts'), '-p', str(n), '-t', '120', 'hostname'])


def clush(n):
    sh(['clush', '-w', f'bench[1-{n}]', '-f', str(n), 'hostname'])


def pdsh(n):
    sh(['pdsh', '-R', 'ssh', '-f', str(n), '-w', f'bench[1-{n}]', 'hostname'])


CHOPSTICKS = r'''
import json, socket, subprocess, sys, time
from chopsticks.group import Group
hosts, mode, repeats = sys.argv[1].split(','), sys.argv[2], int(sys.argv[3])
start = time.monotonic()
group = Group(hosts)
if mode == 'cold':
    group.call(subprocess.check_output, ['hostname'])
    print(json.dumps([time.monotonic() - start]))
else:
    group.call(socket.gethostname)
    times = {'run': [], 'call': []}
    for _ in range(repeats):
        t = time.monotonic(); r = group.call(subprocess.check_output, ['hostname']); times['run'].append(time.monotonic() - t)
        t = time.monotonic(); r = group.call(socket.gethostname); times['call'].append(time.monotonic() - t)
    print(json.dumps(times))
group.close()
'''


def chopsticks(python, n, mode, repeats=1):
    out = sh([python, '-c', CHOPSTICKS, ','.join(aliases(n)), mode, str(repeats)]).stdout
    return json.loads(out)


def chop_warm(chop, n, repeats):
    """Seconds of each warm operation, from chop's own JSON (`elapsed`), after every member connected."""
    ops = {'run': 'run hostname', 'call': 'call socket.gethostname', 'ping': 'ping'}
    script = [f'add bench[1-{n}]', 'connect'] + [op for _ in range(repeats) for op in ops.values()]
    out = sh([chop, '--json', '--persist', 'off'], input='\n'.join(script).encode()).stdout.decode()
    times = {k: [] for k in ops}
    for line in out.splitlines():
        report = json.loads(line)
        for key, command in ops.items():
            if report.get('command') == command:
                times[key].append(report['elapsed'])
    return times


def close_channels(sel, procs):
    """Ends the long-lived `ssh HOST …` channels of a floor row: stdin closed (the far end sees EOF), each ssh
    waited for (killed after 10 s)."""
    sel.close()
    for p in procs:
        p.stdin.close()
    for p in procs:
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
        p.stdout.close()


def echo_floor(n, repeats):
    """Seconds of one short line written to N long-lived `ssh HOST cat` and read back from all N: the bare round
    trip over the same ssh channels (same config and options as the floor), with nothing at either end."""
    procs = [subprocess.Popen(['ssh', h, 'cat'], env=ENV, stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
             for h in aliases(n)]
    sel = selectors.DefaultSelector()
    for p in procs:
        sel.register(p.stdout.fileno(), selectors.EVENT_READ)
    line = b'echo\n'

    def round_trip(timeout):
        start = time.monotonic()
        for p in procs:
            os.write(p.stdin.fileno(), line)
        got = {p.stdout.fileno(): b'' for p in procs}
        pending = len(got)
        while pending:
            left = start + timeout - time.monotonic()
            if left <= 0:
                sys.exit(f'ssh echo floor: {pending} of {n} echoes missing after {timeout} s')
            for key, _ in sel.select(left):
                chunk = os.read(key.fd, 4096)
                if not chunk:
                    sys.exit('ssh echo floor: an `ssh HOST cat` ended early')
                got[key.fd] += chunk
                if got[key.fd] == line:
                    pending -= 1
                elif not line.startswith(got[key.fd]):
                    sys.exit(f'ssh echo floor: {got[key.fd]!r} came back, not {line!r}')
        return time.monotonic() - start

    try:
        round_trip(120)   # waits for every connection to be up (authenticated, cat started)
        for _ in range(3):
            round_trip(10)   # and warms both ends, as chop's rows are measured after a connect and a call
        return measure(lambda: round_trip(10), repeats)
    finally:
        close_channels(sel, procs)   # cat sees EOF, ssh exits


AGENT_FOLDER = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'Sources', 'Chopsticks', 'Agent')
# Reads the agent's N bytes from stdin and runs them as chop's stub does (without its cache): no quote in it.
AGENT_STUB = ('import os,sys;n=int(sys.argv[1]);s=b"";exec("while len(s)<n:s+=os.read(0,n-len(s))");'
              'exec(compile(s,"chop_agent.py","exec"),{"__name__":"__chop_agent__","CHOP_SKIP":0})')


def agent_floor(n, repeats):
    """Seconds of one `call socket.gethostname` written to N of chop's own agents over long-lived ssh channels
    (same config and options as the floor) by a controller that is nothing but a tight loop: what the agent
    itself costs over the echo floor, whatever controller drives it."""
    parts = sorted(f for f in os.listdir(AGENT_FOLDER) if f.startswith('agent_') and f.endswith('.py'))
    texts = []
    for name in parts:
        with open(os.path.join(AGENT_FOLDER, name), 'rb') as f:
            texts.append(f.read())
    source = b'\n\n'.join(texts)
    command = f"exec python3 -E -s -S -c '{AGENT_STUB}' {len(source)}"
    procs = [subprocess.Popen(['ssh', h, command], env=ENV, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              bufsize=0) for h in aliases(n)]
    sel = selectors.DefaultSelector()
    for p in procs:
        os.write(p.stdin.fileno(), source)
        sel.register(p.stdout.fileno(), selectors.EVENT_READ)
    pending = {p.stdout.fileno(): b'' for p in procs}
    rid = [0]

    def frames(wanted, timeout):
        """Reads until every agent sent a frame of an op in `wanted` (HELLO 7; OK 2, ERR 3 end a request)."""
        left, start = set(pending), time.monotonic()
        while left:
            ready = sel.select(max(0.0, start + timeout - time.monotonic()))
            if not ready:
                sys.exit(f'agent floor: {len(left)} of {n} agents silent after {timeout} s')
            for key, _ in ready:
                chunk = os.read(key.fd, 65536)
                if not chunk:
                    sys.exit('agent floor: an agent ended early')
                pending[key.fd] += chunk
                while len(pending[key.fd]) >= 9:
                    size = int.from_bytes(pending[key.fd][:4], 'big')
                    if len(pending[key.fd]) < 4 + size:
                        break
                    op = pending[key.fd][4]
                    pending[key.fd] = pending[key.fd][4 + size:]
                    if op == 3:
                        sys.exit('agent floor: an agent answered with an error')
                    if op in wanted:
                        left.discard(key.fd)

    def round_trip(timeout):
        rid[0] += 1
        body = json.dumps({'op': 'call', 'func': 'socket.gethostname', 'args': [], 'kwargs': {}}).encode()
        request = (5 + len(body)).to_bytes(4, 'big') + bytes([1]) + rid[0].to_bytes(4, 'big') + body
        start = time.monotonic()
        for p in procs:
            os.write(p.stdin.fileno(), request)
        frames((2,), timeout)
        return time.monotonic() - start

    try:
        frames((7,), 120)
        for _ in range(3):
            round_trip(10)   # as chop's rows: measured after a connect and a few calls
        return measure(lambda: round_trip(10), repeats)
    finally:
        close_channels(sel, procs)   # the agent sees EOF and exits, then ssh


def startup(chop, repeats):
    quit_ = measure(lambda: sh([chop, '-c', 'quit']) and None, repeats)

    def prompt():
        pid, fd = pty.fork()
        if pid == 0:
            os.execve(chop, [chop], ENV)
        start, seen = time.monotonic(), b''
        while b'host>' not in seen and time.monotonic() - start < 10:
            if select.select([fd], [], [], 0.5)[0]:
                try:
                    seen += os.read(fd, 4096)
                except OSError:
                    break
        took = time.monotonic() - start
        os.kill(pid, signal.SIGTERM)
        os.waitpid(pid, 0)
        os.close(fd)
        return took
    return quit_, measure(prompt, repeats)


def memory(chop, members):
    """Connect the members, `run true`, then chop's peak RSS (VmHWM) and the PSS of chop and all its children
    in MiB, and the seconds of the whole session (start, connect, run, close)."""
    pss = ("import os,sys; p=int(sys.argv[1]); "
           "kids=lambda q: [int(c) for t in os.listdir(f'/proc/{q}/task') "
           "for c in open(f'/proc/{q}/task/{t}/children').read().split()]; "
           "todo=[p]; total=0\n"
           "while todo:\n q=todo.pop(); todo+=kids(q)\n"
           " total+=sum(int(l.split()[1]) for l in open(f'/proc/{q}/smaps_rollup') if l.startswith('Pss:'))\n"
           "print('PSS', total)")
    script = members + ['connect', 'run true', f'!python3 -c "{pss}" $PPID', '!grep VmHWM /proc/$PPID/status']
    start = time.monotonic()
    out = sh([chop, '-q', '--persist', 'off'], input='\n'.join(script).encode()).stdout.decode()
    took = time.monotonic() - start
    hwm = next(int(l.split()[1]) for l in out.splitlines() if l.startswith('VmHWM'))
    total = next(int(l.split()[1]) for l in out.splitlines() if l.startswith('PSS'))
    return hwm / 1024, total / 1024, took


def release_build():
    """Seconds of `swift build -c release` in a clean clone of this checkout's HEAD."""
    clone = os.path.join(ROOT, 'clone')
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    sh(['git', 'clone', '-q', here, clone])
    start = time.monotonic()
    sh([SWIFT, 'build', '-c', 'release', '--package-path', clone])
    return time.monotonic() - start


def transfer(chop, n, size_mib, repeats):
    data = os.path.join(ROOT, 'payload')
    with open(data, 'wb') as f:
        f.write(os.urandom(size_mib << 20))
    remote = os.path.join(ROOT, 'remote-{host}')

    def chop_put():
        sh([chop, '-q', '--persist', 'off', '-c', f'add bench[1-{n}]; put {data} {remote}'])

    def chop_fetch():
        sh([chop, '-q', '--persist', 'off', '-c', f'add bench[1-{n}]; fetch {data} {ROOT}/fetched/{{host}}'])

    def scp(direction):
        def go():
            procs = []
            for h in aliases(n):
                target = remote.replace('{host}', h)
                args = [data, f'{h}:{target}'] if direction == 'put' else [f'{h}:{data}', target + '.back']
                procs.append(subprocess.Popen(['scp', '-q', '-F', CONFIG, *args], env=ENV))
            assert all(p.wait() == 0 for p in procs)
        return go
    return [measure(chop_put, repeats), measure(scp('put'), repeats), measure(chop_fetch, repeats),
            measure(scp('fetch'), repeats)]


def stat(values):
    return statistics.median(values), min(values), max(values)


def ratio(ours, theirs):
    return ours[0] / theirs[0] if ours and theirs else None


class Rows:
    """The table's rows, each printed as soon as it is measured: a long run that fails late keeps them."""

    def append(self, row):
        print('| ' + ' | '.join(row) + ' |', flush=True)


class Targets:
    """The issue's targets, each checked against figures of this run."""

    def __init__(self):
        self.rows = []

    def check(self, name, value, limit, higher_is_better=False, unit='×'):
        if value is None:
            return
        met = value >= limit if higher_is_better else value <= limit
        bound = '≥' if higher_is_better else '≤'
        self.rows.append((name, f'{value:.2f}{unit}', f'{bound} {limit}{unit}', 'met' if met else 'MISSED'))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--chop', required=True)
    parser.add_argument('--chopsticks-python', required=True)
    parser.add_argument('--dynamic-chop', help='the same chop linked against the shared Swift runtime: its start-up '
                        'is measured beside the static one (--chop) the .deb ships')
    parser.add_argument('--quick', action='store_true', help='small N and few repeats (about a minute)')
    parser.add_argument('--only', default='cold,warm,transfer,trees,memory,startup,build',
                        help='comma-separated sections to run (for profiling one of them)')
    parser.add_argument('--n', help='comma-separated fleet sizes for the cold and warm rows')
    parser.add_argument('--repeats', type=int)
    parser.add_argument('--rtt', type=float, help='milliseconds of round trip: only the far rows, behind relay.py')
    args = parser.parse_args()
    chop = args.chop
    only = set(args.only.split(','))
    if args.quick:
        only.discard('build')
    cold_ns = [1, 10] if args.quick else [1, 10, 50, 100, 200]
    warm_ns = [1, 10] if args.quick else [1, 10, 100, 200]
    if args.n:
        cold_ns = warm_ns = [int(n) for n in args.n.split(',')]
    repeats = args.repeats or (3 if args.quick else 7)
    if args.rtt:
        cold_ns = [int(n) for n in args.n.split(',')] if args.n else [1, 10] if args.quick else [1, 10, 100]
    fleet = Fleet(max(cold_ns + warm_ns + [10]))
    rows, targets, warm = Rows(), Targets(), {}
    with open('/proc/cpuinfo') as f:
        cpu = next((line.split(':', 1)[1].strip() for line in f if line.startswith('model name')), '?')
    print(f'\nchop benchmark, {time.strftime("%Y-%m-%d")}, {os.cpu_count()} cores ({cpu}), '
          f'{"quick" if args.quick else "full"} run; median (min–max) of {repeats} runs\n')
    print('| work | chop | baselines, same run | ratio |')
    print('|---|---|---|---|', flush=True)
    try:
        if args.rtt:
            sys.modules['bench'] = sys.modules[__name__]   # far.py shares this run's fleet and folders
            import far
            far.rows(chop, fleet, args.rtt, cold_ns, repeats, rows, targets)
            only = set()
        for n in cold_ns if 'cold' in only else []:
            ours, base, their_pssh, their_clush, their_pdsh, theirs = measure_together([
                lambda n=n: chop_cold(chop, n), lambda n=n: floor(n), lambda n=n: pssh(n), lambda n=n: clush(n),
                lambda n=n: pdsh(n), lambda n=n: chopsticks(args.chopsticks_python, n, 'cold')[0]], repeats)
            rows.append((f'cold: connect + hostname, N={n}', fmt(ours),
                         (f'floor {fmt(base)}; pssh {fmt(their_pssh)}; clush {fmt(their_clush)}; '
                          f'pdsh {fmt(their_pdsh)}; chopsticks {fmt(theirs)}'),
                         f'{ratio(ours, base):.2f}× floor'))
            targets.check(f'cold connect + hostname, N={n}, vs the OpenSSH floor', ratio(ours, base), 1.10)
        for n in warm_ns if 'warm' in only else []:
            ours = chop_warm(chop, n, repeats)
            theirs = chopsticks(args.chopsticks_python, n, 'warm', repeats)
            echo = echo_floor(n, repeats)
            agent = agent_floor(n, repeats)
            run, call, ping = stat(ours['run']), stat(ours['call']), stat(ours['ping'])
            their_run, their_call = stat(theirs['run']), stat(theirs['call'])
            warm[n] = (run, call)
            rows.append((f'warm run hostname, N={n}', fmt(run), f'chopsticks spawning hostname {fmt(their_run)}',
                         f'{ratio(run, their_run):.2f}×'))
            rows.append((f'warm call socket.gethostname, N={n}', fmt(call),
                         (f'chopsticks call {fmt(their_call)}; ssh echo floor {fmt(echo)}; '
                          f'agent floor {fmt(agent)} ({ratio(agent, echo):.2f}× echo)'),
                         f'{ratio(call, their_call):.2f}×, {ratio(call, echo):.2f}× echo'))
            rows.append((f'warm ping, N={n}', fmt(ping), '', ''))
            if n == 100:
                targets.check('warm run hostname, N=100, vs chopsticks', ratio(run, their_run), 0.6)
                targets.check('warm call, N=100, vs chopsticks', ratio(call, their_call), 0.4)
                targets.check('warm call, N=100, vs the ssh echo floor', ratio(call, echo), 1.5)
        if 10 in warm and max(warm) >= 100:
            top = max(warm)
            for index, name in enumerate(['run', 'call']):
                per_host = (warm[top][index][0] / top) / (warm[10][index][0] / 10)
                targets.check(f'warm {name}: cost per host at N={top} / at N=10', per_host, 1.2)
        size = 10 if args.quick else 100
        for n in [1, 10] if 'transfer' in only else []:
            put, scp_put, fetch, scp_fetch = transfer(chop, n, size, max(1, repeats // 2))
            # Aggregate MB/s ratio: the same bytes in both, so the inverse ratio of the times.
            rows.append((f'put {size} MiB, N={n}', fmt(put), f'parallel scp {fmt(scp_put)}',
                         f'{ratio(scp_put, put):.2f}× scp MB/s'))
            rows.append((f'fetch {size} MiB, N={n}', fmt(fetch), f'parallel scp {fmt(scp_fetch)}',
                         f'{ratio(scp_fetch, fetch):.2f}× scp MB/s'))
            if n == 10:
                targets.check('put to 10 hosts, MB/s vs parallel scp', ratio(scp_put, put), 0.8, True)
                targets.check('fetch from 10 hosts, MB/s vs parallel scp', ratio(scp_fetch, fetch), 0.8, True)
        if 'trees' in only:
            import trees  # Benchmarks/trees.py: put -r and sync against rsync -a and scp -r
            trees.run(sys.modules[__name__], chop, rows, targets, repeats)
        if 'memory' in only:
            ssh_n = 10 if args.quick else 100
            hwm, pss, took = memory(chop, [f'add bench[1-{ssh_n}]'])
            rows.append((f'memory, {ssh_n} SSH members', f'RSS peak {hwm:.0f} MiB', f'PSS of the tree {pss:.0f} MiB',
                         f'session {took:.1f} s'))
            local_n = 100 if args.quick else 1000
            hwm, pss, took = memory(chop, [f'add local l{i}' for i in range(1, local_n + 1)])
            rows.append((f'memory, {local_n} Local members: connect, run true, close', f'RSS peak {hwm:.0f} MiB',
                         f'PSS of the tree {pss:.0f} MiB', f'session {took:.1f} s'))
            if local_n == 1000:
                targets.check('1,000 Local members: controller peak RSS', hwm * 1.048576, 60, unit=' MB')
        if 'startup' in only:
            quit_, prompt = startup(chop, repeats)
            if args.dynamic_chop:
                dynamic = startup(args.dynamic_chop, repeats)[0]
                linked = f'the same, Swift runtime linked dynamically {fmt(dynamic)}'
                rows.append(('start-up: chop -c quit', fmt(quit_), linked, f'{ratio(quit_, dynamic):.2f}×'))
            else:
                rows.append(('start-up: chop -c quit', fmt(quit_), '', ''))
            rows.append(('start-up: first prompt in a pty', fmt(prompt), '', ''))
            targets.check('first prompt in a pty', prompt[0] * 1000, 30, unit=' ms')
        if 'build' in only:
            rows.append(('swift build -c release, clean clone', f'{release_build():.0f} s', '', ''))
    finally:
        fleet.stop()
        shutil.rmtree(ROOT, ignore_errors=True)
    if targets.rows:
        print('\n| target | measured | goal | |')
        print('|---|---|---|---|')
        for row in targets.rows:
            print('| ' + ' | '.join(row) + ' |')


if __name__ == '__main__':
    sys.exit(main())
