"""The far-fleet rows of `Benchmarks/run --rtt MS` (issue #25): the same loopback fleet behind a delay relay
(`relay.py`), so that every round trip costs MS milliseconds, as in another region.

Rows: cold connect + hostname against the ssh floor and pssh, with chop's extra round trips over the floor;
warm run and call in round trips; a second cold run within the reuse window against the first.
"""

import os
import signal
import subprocess
import sys
import time

import bench


def far_address(i):
    """The relay's address for alias i: 127.1.x.y, forwarding to the sshd's 127.0.x.y."""
    return '127.1' + bench.address(i)[len('127.0'):]


class Relay:
    """relay.py in front of every alias of `fleet`: its aliases then reach sshd only through the relay."""

    def __init__(self, fleet, rtt_ms):
        here = os.path.dirname(os.path.abspath(__file__))
        listens = [f'--listen={far_address(i)}:{fleet.port}={bench.address(i)}:{fleet.port}'
                   for i in range(1, fleet.n + 1)]
        self.proc = subprocess.Popen([sys.executable, os.path.join(here, 'relay.py'), '--delay-ms', str(rtt_ms / 2),
                                      *listens], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE)
        if self.proc.stdout.readline().strip() != b'ready':
            sys.exit('relay.py did not start')
        with open(os.path.join(bench.HOME, '.ssh', 'known_hosts')) as f:
            key = f.readline().split(' ', 1)[1]
        with open(os.path.join(bench.HOME, '.ssh', 'known_hosts'), 'a') as f:
            f.writelines(f'[{far_address(i)}]:{fleet.port} {key}' for i in range(1, fleet.n + 1))
        with open(bench.CONFIG) as f:
            config = f.read()
        for i in range(fleet.n, 0, -1):
            config = config.replace(f'HostName {bench.address(i)}\n', f'HostName {far_address(i)}\n')
        with open(bench.CONFIG, 'w') as f:
            f.write(config)

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(10)


def end_masters(chop, n):
    """Ends the masters of bench1..N (`add` starts connecting at once: the run lets that finish first)."""
    bench.sh([chop, '-q', '--persist', '60', '-c', f'add bench[1-{n}]; run true; disconnect --persist'])


def rows(chop, fleet, rtt_ms, ns, repeats, rows_, targets):
    rtt = rtt_ms / 1000
    relay = Relay(fleet, rtt_ms)
    try:
        for n in ns:
            ours, base, their_pssh = bench.measure_together([
                lambda n=n: bench.chop_cold(chop, n), lambda n=n: bench.floor(n), lambda n=n: bench.pssh(n)], repeats)
            extra = (ours[0] - base[0]) / rtt
            rows_.append((f'far (RTT {rtt_ms:g} ms): cold connect + hostname, N={n}', bench.fmt(ours),
                          f'floor {bench.fmt(base)}; pssh {bench.fmt(their_pssh)}',
                          f'floor + {extra:.2f} RTT'))
            targets.check(f'far cold connect + hostname, N={n}: round trips over the ssh floor', extra, 1.0,
                          unit=' RTT')
        for n in ns:
            warm = bench.chop_warm(chop, n, repeats)
            run, call = bench.stat(warm['run']), bench.stat(warm['call'])
            rows_.append((f'far (RTT {rtt_ms:g} ms): warm run hostname, N={n}', bench.fmt(run), '',
                          f'{run[0] / rtt:.2f} RTT'))
            rows_.append((f'far (RTT {rtt_ms:g} ms): warm call, N={n}', bench.fmt(call), '',
                          f'{call[0] / rtt:.2f} RTT'))
        n = 10
        script = f'add bench[1-{n}]; run hostname'
        firsts, seconds = [], []
        for _ in range(repeats):
            end_masters(chop, n)
            start = time.monotonic()
            bench.sh([chop, '-q', '--persist', '60', '-c', script])
            firsts.append(time.monotonic() - start)
            start = time.monotonic()
            bench.sh([chop, '-q', '--persist', '60', '-c', script])
            seconds.append(time.monotonic() - start)
        end_masters(chop, n)
        first, second = bench.stat(firsts), bench.stat(seconds)
        rows_.append((f'far (RTT {rtt_ms:g} ms): second cold run within the reuse window, N={n}', bench.fmt(second),
                      f'first run {bench.fmt(first)}', f'{second[0] / first[0]:.2f}× first'))
        targets.check(f'far second run within the window, N={n}, vs the first', second[0] / first[0], 0.25)
    finally:
        relay.stop()
