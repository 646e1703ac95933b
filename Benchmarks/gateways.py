"""Gateways (tree mode) against the same hosts direct, in one run (see Benchmarks/run and README "Large fleets").

Two fleets: Local leaves behind Local gateways (1,000 behind 4), and the loopback sshd fleet with SSH leaves
behind gateway aliases (200 behind 2). For each, the same hosts are also added direct. Measured from chop's own
JSON (`elapsed`) and from /proc of the chop process itself: its direct children, open descriptors, RSS.
Then a flood on one gateway's leaf and a lost gateway, timed against the other gateway's leaves.
"""

import argparse
import json
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench

# Run by chop's `!` (a shell whose parent is chop, so $PPID is chop): chop's children (the shell itself left out), descriptors, RSS.
PROBE = ('!echo CHILDREN $(($(cat /proc/$PPID/task/*/children | wc -w) - 1)); echo FDS $(ls /proc/$PPID/fd | wc -l); '
         'grep -E "VmRSS|VmHWM" /proc/$PPID/status')


def session(chop, lines, flags=(), check=True):
    """Runs a chop script with --json; returns (elapsed of each command by text, the probe's figures).
    check=False: a failed line (a host lost on purpose) is expected."""
    argv, data = [chop, '--json', *flags], '\n'.join(lines).encode()
    done = bench.sh(argv, input=data) if check else bench.subprocess.run(
        argv, input=data, env=bench.ENV, capture_output=True, check=False, timeout=600)
    elapsed, figures = {}, {}
    # JSON reports on stdout; what `!` printed comes with the echoed lines on stderr.
    for line in (done.stdout + b'\n' + done.stderr).decode().splitlines():
        if line.startswith('{'):
            report = json.loads(line)
            elapsed.setdefault(report.get('command'), []).append(report.get('elapsed'))
        else:
            words = line.replace(':', ' ').split()
            if len(words) >= 2 and words[0] in ('CHILDREN', 'FDS', 'VmRSS', 'VmHWM'):
                figures[words[0]] = int(words[1])
    for line in done.stdout.decode().splitlines():
        if line.startswith('{'):
            report = json.loads(line)
            failed = sum(1 for host in report.get('hosts', []) if host.get('status') != 'ok')
            figures['failed'] = max(figures.get('failed', 0), failed)
    return elapsed, figures


def compare(chop, label, direct, gateways, leaves, repeats, flags=()):
    """One fleet direct and behind gateways: rows of figures, and the issue's targets checked."""
    results = {}
    for mode, adds in (('direct', direct), ('gateways', gateways)):
        script = adds + ['connect', PROBE] + ['call socket.gethostname'] * repeats
        # A host of the loopback fleet may fail to connect on a loaded machine: its row says how many did.
        elapsed, figures = session(chop, script, flags, check=False)
        warm = statistics.median(elapsed['call socket.gethostname'][1:] or elapsed['call socket.gethostname'])
        results[mode] = (elapsed['connect'][0], warm, figures)
    (cold_d, warm_d, fig_d), (cold_g, warm_g, fig_g) = results['direct'], results['gateways']
    # Per host that answered: on a loaded machine some direct hosts fail to connect, and a call over fewer
    # hosts is quicker.
    per_host = (warm_g / max(1, leaves - fig_g.get('failed', 0))) / (warm_d / max(1, leaves - fig_d.get('failed', 0)))
    rows = [
        (f'{label}: cold connect', f'{cold_g:.2f} s ({fig_g.get("failed", 0)} hosts failed)',
         f'direct {cold_d:.2f} s ({fig_d.get("failed", 0)} failed)', f'{cold_g / cold_d:.2f}×'),
        (f'{label}: warm call socket.gethostname', f'{warm_g * 1000:.1f} ms', f'direct {warm_d * 1000:.1f} ms',
         f'{per_host:.2f}× per host'),
        (f'{label}: controller processes / descriptors', f'{fig_g["CHILDREN"]} / {fig_g["FDS"]}',
         f'direct {fig_d["CHILDREN"]} / {fig_d["FDS"]}', ''),
        (f'{label}: controller RSS (peak)', f'{fig_g["VmRSS"] / 1024:.0f} MiB ({fig_g["VmHWM"] / 1024:.0f})',
         f'direct {fig_d["VmRSS"] / 1024:.0f} MiB ({fig_d["VmHWM"] / 1024:.0f})', ''),
    ]
    return rows, dict(results, per_host=per_host)


def faults(chop, leaves_per_gateway, calls=15, settle=3):
    """Median warm call of gw2's leaves: quiet; while a leaf of gw1 floods its stderr (read and dropped by gw1 past
    1 MiB); and after gw1's agent is killed. Each phase is `calls` calls, of which the first `settle` are left
    out: a call takes a few ms, and the first ones after each event overlap what the event itself costs once (the
    flood's first MiB of stderr passed on to chop, gw1's leaves marked down), not what it costs the other leaves."""
    n = leaves_per_gateway
    base = ['add local gw[1-2]', f'add local a[1-{n}] --gateway gw1', f'add local b[1-{n}] --gateway gw2', 'connect']
    call = '@via:gw2 call socket.gethostname'
    flood = ('@a1 py import os, threading; threading.Thread(target=lambda: [os.write(2, b"x" * 65536) '
             'for _ in iter(int, 1)], daemon=True).start()')
    elapsed, _ = session(chop, base + [call] * calls + [flood] + [call] * calls
                         + ['@gw1 py import os; os.kill(os.getpid(), 9)'] + [call] * calls, check=False)
    times = elapsed[call]
    return tuple(statistics.median(times[phase * calls + settle:(phase + 1) * calls]) for phase in range(3))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--chop', required=True)
    parser.add_argument('--chopsticks-python')
    parser.add_argument('--quick', action='store_true', help='100 Local and 20 SSH leaves')
    parser.add_argument('--only', default='gateways')
    parser.add_argument('--n')
    parser.add_argument('--repeats', type=int)
    args, _ = parser.parse_known_args()
    if 'gateways' not in args.only.split(','):
        return 0
    chop = args.chop
    local_n, ssh_n = (100, 20) if args.quick else (1000, 200)
    repeats = args.repeats or (5 if args.quick else 9)
    print(f'\nchop gateways benchmark: {local_n} Local leaves behind 4 Local gateways, {ssh_n} SSH leaves behind '
          f'2 gateway aliases, each against the same hosts direct; warm: median of {repeats - 1} calls\n')
    print('| work | gateways | direct, same run | ratio |')
    print('|---|---|---|---|', flush=True)
    targets = bench.Targets()
    fleet = bench.Fleet(ssh_n + 2)
    try:
        # First, on a calm machine: the phases below leave a thousand processes ending behind them.
        quiet, during, after = faults(chop, 20)
        rows, local = compare(chop, f'{local_n} Local leaves', [f'add local l[1-{local_n}]'],
                              ['add local gw[1-4]', f'add local l[1-{local_n}] --gateway gw[1-4]'], local_n, repeats)
        for row in rows:
            print('| ' + ' | '.join(row) + ' |', flush=True)
        ssh_rows, ssh = compare(
            chop, f'{ssh_n} SSH leaves', [f'add bench[1-{ssh_n}]'],
            [f'add bench[{ssh_n + 1}-{ssh_n + 2}]', f'add bench[1-{ssh_n}] --gateway bench[{ssh_n + 1}-{ssh_n + 2}]'],
            ssh_n, repeats, flags=('-F', bench.CONFIG, '--persist', 'off'))
        for row in ssh_rows:
            print('| ' + ' | '.join(row) + ' |', flush=True)
        # Descriptors chop holds with no member at all (its terminal, event loop, …), left out per gateway.
        base = session(chop, [PROBE])[1]['FDS']
        print(f'| controller descriptors with no member | {base} | | |', flush=True)
        print(f'| gw2\'s 20 leaves, warm call: quiet / gw1 leaf flooding / gw1 killed | {during * 1000:.1f} ms / '
              f'{after * 1000:.1f} ms | quiet {quiet * 1000:.1f} ms | {during / quiet:.2f}× / {after / quiet:.2f}× |')
        for name, (cold_d, _, fig_d), (cold_g, _, fig_g), per_host, gateways in (
                (f'{local_n} Local leaves', local['direct'], local['gateways'], local['per_host'], 4),
                (f'{ssh_n} SSH leaves', ssh['direct'], ssh['gateways'], ssh['per_host'], 2)):
            targets.check(f'{name}: controller processes per gateway', fig_g['CHILDREN'] / gateways, 1, unit='')
            targets.check(f'{name}: controller descriptors per gateway (beyond no member)',
                          (fig_g['FDS'] - base) / gateways, 8, unit='')
            targets.check(f'{name}: warm call vs direct, per host', per_host, 1.5)
            targets.check(f'{name}: cold connect vs direct', cold_g / cold_d, 1.0)
        targets.check(f'{local_n} Local leaves: controller RSS', local['gateways'][2]['VmRSS'] / 1024 * 1.048576,
                      100, unit=' MB')
        targets.check('gw2 leaves while a gw1 leaf floods, vs quiet', during / quiet, 1.5)
        targets.check('gw2 leaves after gw1 is lost, vs quiet', after / quiet, 1.5)
    finally:
        fleet.stop()
        bench.shutil.rmtree(bench.ROOT, ignore_errors=True)
    print('\n| target | measured | goal | |')
    print('|---|---|---|---|')
    for row in targets.rows:
        print('| ' + ' | '.join(row) + ' |')
    return 0


if __name__ == '__main__':
    sys.exit(main())
