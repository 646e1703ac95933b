"""A delay relay: a far fleet on loopback (this kernel has no netem).

    python3 relay.py --delay-ms 50 --target 127.0.0.1:PORT --listen 127.0.1.1:PORT2 [--listen ...] [--count FILE]
                     [--log FILE]

Every connection accepted on a --listen address is forwarded to --target (or to the address given after `=`:
`--listen 127.0.1.1:2200=127.0.0.1:22`). Each chunk read from either side is held --delay-ms before it is
written to the other, in order, so a round trip costs twice the delay (RTT = 2 × delay) whatever the bandwidth.
With --count, the number of connections accepted so far is written to FILE after each one (tests count them).
With --log, every chunk is logged as it is read: milliseconds of the monotonic clock (Python's time.monotonic),
connection number, `>`
(towards the target) or `<`, bytes. A run of chunks in one direction followed by one in the other is a round trip:
`turns` counts them per connection (`python3 relay.py --turns FILE`).
Prints "ready" on stdout (and writes 0 to --count) once every address listens; ends on SIGTERM or SIGINT.
"""

import argparse
import asyncio
import os
import signal
import sys
import time


class Relay:
    def __init__(self, delay, count_file, log_file=None):
        self.delay, self.count_file, self.accepted = delay, count_file, 0
        # Open for the relay's whole life (it ends with the process), line-buffered so a reader sees each chunk.
        self.log = open(log_file, 'a', buffering=1) if log_file else None   # noqa: SIM115

    async def pipe(self, reader, writer, label=''):
        """Copies reader to writer, each chunk held `delay` seconds from when it was read, in order."""
        loop = asyncio.get_running_loop()
        queue = asyncio.Queue()

        async def delayed_writer():
            while True:
                due, chunk = await queue.get()
                wait = due - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                if chunk is None:
                    break
                writer.write(chunk)
                await writer.drain()
            if writer.can_write_eof():
                writer.write_eof()

        task = asyncio.ensure_future(delayed_writer())
        try:
            while True:
                chunk = await reader.read(65536)
                if self.log:
                    self.log.write(f'{time.monotonic() * 1000:.1f} {label} {len(chunk)}\n')
                queue.put_nowait((loop.time() + self.delay, chunk or None))
                if not chunk:
                    break
            await task
        except (ConnectionError, OSError):
            task.cancel()
        finally:
            writer.close()

    def write_count(self):
        """The number of connections accepted so far, into the count file (whole, by rename)."""
        if self.count_file:
            with open(self.count_file + '.tmp', 'w') as f:
                f.write(f'{self.accepted}\n')
            os.replace(self.count_file + '.tmp', self.count_file)

    def handler(self, target):
        host, port = target.rsplit(':', 1)

        async def handle(client_reader, client_writer):
            self.accepted += 1
            number = self.accepted
            self.write_count()
            try:
                server_reader, server_writer = await asyncio.open_connection(host, int(port))
            except OSError:
                client_writer.close()
                return
            try:
                await asyncio.gather(self.pipe(client_reader, server_writer, f'{number} >'),
                                     self.pipe(server_reader, client_writer, f'{number} <'),
                                     return_exceptions=True)
            except asyncio.CancelledError:   # the relay is ending
                pass
        return handle


def turns(log_file):
    """Per connection of a --log file: its round trips (each chunk back after chunks out), its first and last
    chunk, and its bytes each way."""
    seen = {}
    with open(log_file) as f:
        for line in f:
            at, number, direction, size = line.split()
            at, size = float(at), int(size)
            c = seen.setdefault(number, {'turns': 0, 'last': None, 'first': at, 'end': at, '>': 0, '<': 0})
            if c['last'] and c['last'] != direction:
                c['turns'] += direction == '<'
            c['last'], c['end'] = direction, at
            c[direction] += size
    for number, c in seen.items():
        print(f"connection {number}: {c['turns']} round trips, {c['first']:.0f}–{c['end']:.0f} ms, "
              f"{c['>']} bytes out, {c['<']} back")


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--delay-ms', type=float, required=True, help='held in each direction: RTT / 2')
    parser.add_argument('--target', help='HOST:PORT every --listen forwards to unless it names its own')
    parser.add_argument('--listen', action='append', required=True, help='HOST:PORT[=TARGET_HOST:TARGET_PORT]')
    parser.add_argument('--count', help='file that holds the number of connections accepted')
    parser.add_argument('--log', help='file each chunk is logged to (see --turns)')
    args = parser.parse_args()
    relay = Relay(args.delay_ms / 1000, args.count, args.log)
    servers = []
    for spec in args.listen:
        listen, _, target = spec.partition('=')
        target = target or args.target
        if not target:
            sys.exit(f'relay: {listen} has no target (give --target or {listen}=HOST:PORT)')
        host, port = listen.rsplit(':', 1)
        servers.append(await asyncio.start_server(relay.handler(target), host, int(port), backlog=1024))
    relay.write_count()
    print('ready', flush=True)
    loop = asyncio.get_running_loop()
    done = loop.create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, lambda: done.done() or done.set_result(None))
    await done
    for server in servers:
        server.close()


if __name__ == '__main__':
    if sys.argv[1:2] == ['--turns']:
        turns(sys.argv[2])
    else:
        asyncio.run(main())
