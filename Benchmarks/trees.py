"""Trees: chop's put -r and sync against Debian's rsync -a and scp -r, each run in parallel to the same hosts in
the same run, connect included (Benchmarks/bench.py --only trees calls run()).

The tree is 5,000 files and 50 MiB in 50 folders. Targets (issue #20): a first copy at least as fast as parallel
rsync (aggregate MB/s), a sync with nothing changed and a sync of one changed file no slower than rsync's, and
the controller's peak memory flat in the number of files (a tree of 20,000 small files against one of 5,000,
at most 1.10×: the listing waits in a temporary file, not in memory).
chop shares an ssh master between runs by default (`persist`), so the sync rows are measured twice: as chop ships,
and with `--persist off`, where each run pays ssh's whole handshake as rsync does.
"""

import os
import random
import shutil
import subprocess
import time


def make_tree(root, files, total_bytes, seed=20):
    rng = random.Random(seed)
    sizes = [rng.randint(1, 2 * total_bytes // files) for _ in range(files)]
    scale = total_bytes / sum(sizes)
    for index, size in enumerate(sizes):
        folder = os.path.join(root, f'd{index % 50:02d}')
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, f'f{index:05d}'), 'wb') as f:
            f.write(os.urandom(max(1, int(size * scale))))


def run(bench, chop, rows, targets, repeats, n=10):
    root = os.path.join(bench.ROOT, 'trees')
    src = os.path.join(root, 'src')
    make_tree(src, 5000, 50 << 20)
    total_mib = 50
    hosts = bench.aliases(n)

    def parallel(argv_for):
        procs = [subprocess.Popen(argv_for(h), env=bench.ENV, stdout=subprocess.DEVNULL) for h in hosts]
        assert all(p.wait() == 0 for p in procs), 'a parallel copy failed'

    def fresh(prefix):
        for h in hosts:
            shutil.rmtree(os.path.join(root, f'{prefix}-{h}'), ignore_errors=True)

    def chop_line(line, *options):
        bench.sh([chop, '-q', *options, '-c', f'add bench[1-{n}]; {line}'])

    rsync = ['rsync', '-a', '-e', f'ssh -F {bench.CONFIG}']

    def first(tool):
        """Seconds of one first copy. The previous copy is removed and the disk settled (os.sync) before the clock
        starts: on this virtual disk, removing 50,000 files costs seconds of discards and journal that would
        otherwise land in whichever tool runs next."""
        fresh(tool)
        os.sync()
        start = time.monotonic()
        if tool == 'chop':
            chop_line(f'put -r {src} {root}/chop-{{host}}')
        elif tool == 'rsync':
            parallel(lambda h: [*rsync, src + '/', f'{h}:{root}/rsync-{h}/'])
        else:
            parallel(lambda h: ['scp', '-q', '-r', '-F', bench.CONFIG, src, f'{h}:{root}/scp-{h}'])
        return time.monotonic() - start

    # The tools take turns (chop, rsync, scp, chop, ...), so a slow spell of the machine falls on all of them.
    runs = {tool: [] for tool in ('chop', 'rsync', 'scp')}
    for _ in range(max(2, repeats // 2)):
        for tool, times in runs.items():
            times.append(first(tool))
    copy = {tool: bench.stat(times) for tool, times in runs.items()}
    mbs = {tool: total_mib * n / copy[tool][0] for tool in copy}
    ours = f'{bench.fmt(copy["chop"])}, {mbs["chop"]:.0f} MB/s'
    theirs = (f'parallel rsync -a {bench.fmt(copy["rsync"])}, {mbs["rsync"]:.0f} MB/s; '
              f'parallel scp -r {bench.fmt(copy["scp"])}, {mbs["scp"]:.0f} MB/s')
    rows.append((f'put -r 5,000 files / 50 MiB, N={n}, first copy', ours, theirs,
                 f'{mbs["chop"] / mbs["rsync"]:.2f}× rsync MB/s'))
    targets.check('first copy of a tree to 10 hosts, MB/s vs parallel rsync -a', mbs['chop'] / mbs['rsync'], 1.0,
                  True)

    def chop_sync(*options):
        chop_line(f'sync {src} {root}/chop-{{host}}', *options)

    def cold_sync():   # no ssh master shared between runs: each run pays ssh's whole handshake, as rsync does
        chop_sync('--persist', 'off')

    def rsync_sync():
        parallel(lambda h: [*rsync, src + '/', f'{h}:{root}/rsync-{h}/'])

    # rsync's copy has its own folder (rsync-HOST), made by the first-copy rows above. The three take turns.
    same_chop, same_cold, same_rsync = [], [], []
    for _ in range(repeats):
        for times, sync in ((same_chop, chop_sync), (same_cold, cold_sync), (same_rsync, rsync_sync)):
            times.append(bench.measure(sync, 1)[0])
    same = bench.stat(same_chop), bench.stat(same_rsync)
    rows.append((f'sync, nothing changed, N={n}', bench.fmt(same[0]), f'parallel rsync -a {bench.fmt(same[1])}',
                 f'{bench.ratio(same[0], same[1]):.2f}× rsync time'))
    targets.check('sync with nothing changed, time vs rsync -a', bench.ratio(same[0], same[1]), 1.0)
    cold = bench.stat(same_cold)
    rows.append((f'sync, nothing changed, N={n}, --persist off (a full ssh handshake per run)', bench.fmt(cold),
                 f'parallel rsync -a {bench.fmt(same[1])}', f'{bench.ratio(cold, same[1]):.2f}× rsync time'))
    targets.check('sync with nothing changed, --persist off, time vs rsync -a', bench.ratio(cold, same[1]), 1.0)

    changed = os.path.join(src, 'd07', 'f00007')
    counter = iter(range(10 ** 6))

    # Each round changes the file (new bytes, new size), then times chop's sync and rsync's on their own copies.
    one_chop, one_cold, one_rsync = [], [], []
    for _ in range(repeats):
        for times, sync in ((one_chop, chop_sync), (one_cold, cold_sync), (one_rsync, rsync_sync)):
            with open(changed, 'wb') as f:
                f.write(os.urandom(4096) + str(next(counter)).encode())
            times.append(bench.measure(sync, 1)[0])
    one_chop, one_cold, one_rsync = bench.stat(one_chop), bench.stat(one_cold), bench.stat(one_rsync)
    rows.append((f'sync, one file changed among 5,000, N={n}', bench.fmt(one_chop),
                 f'parallel rsync -a {bench.fmt(one_rsync)}', f'{bench.ratio(one_chop, one_rsync):.2f}× rsync time'))
    targets.check('sync of one changed file, time vs rsync -a', bench.ratio(one_chop, one_rsync), 1.0)
    rows.append((f'sync, one file changed among 5,000, N={n}, --persist off', bench.fmt(one_cold),
                 f'parallel rsync -a {bench.fmt(one_rsync)}', f'{bench.ratio(one_cold, one_rsync):.2f}× rsync time'))
    targets.check('sync of one changed file, --persist off, time vs rsync -a', bench.ratio(one_cold, one_rsync), 1.0)

    peaks = {}
    for files in (5000, 20000):
        small = os.path.join(root, f'small-{files}')
        make_tree(small, files, files * 64, seed=files)
        # Not bench.sh: a host that fails (a loaded machine) must not end the run before the peak is read.
        out = subprocess.run([chop, '-q'], input=(
            f'set timeout 60\nadd bench[1-{n}]\nput -r {small} {root}/small-{files}-{{host}}\n'
            '!grep VmHWM /proc/$PPID/status\n').encode(), env=bench.ENV, capture_output=True,
            check=False).stdout.decode()
        peaks[files] = next(int(line.split()[1]) for line in out.splitlines() if line.startswith('VmHWM')) / 1024
    rows.append((f'controller peak RSS, put -r to {n} hosts', f'{peaks[20000]:.0f} MiB for 20,000 files',
                 f'{peaks[5000]:.0f} MiB for 5,000 files', f'{peaks[20000] / peaks[5000]:.2f}×'))
    targets.check('controller memory, 20,000 files / 5,000 files', peaks[20000] / peaks[5000], 1.10)
