"""Agent protocol tests for directory trees: tree_put (chop's put -r and sync) and tree_get (fetch -r, globs).

Run by run_agent_tests.py, or alone: python3 Tests/AgentTests/agent_trees_test.py [-v]
"""

import base64
import contextlib
import hashlib
import json
import os
import shutil
import struct
import tempfile
import unittest

from agent_protocol_test import CANCEL, DATA, END, ERR, OK, Agent, wait_until


def tagged(tag, value):
    return tag.encode('ascii') + json.dumps(value).encode('utf-8')


def read(path):
    with open(path, 'rb') as f:
        return f.read()


def entry(rel, kind, mode=0o644, mtime=0, size=0, link=None, sha1=None):
    e = {'k': kind, 'm': mode, 't': mtime, 's': size}
    if isinstance(rel, bytes):
        e['p'] = rel.decode('utf-8', 'replace')
        e['b'] = base64.b64encode(rel).decode('ascii')
    else:
        e['p'] = rel
    if link is not None:
        e['l'] = link
    if sha1 is not None:
        e['h'] = sha1
    return e


def columns(entries):
    """A listing as an N frame's columns, the way chop sends it (LocalTree.ListingWriter)."""
    value, extras = {'k': '', 'p': [], 'm': [], 't': [], 's': []}, {}
    for at, e in enumerate(entries):
        e = dict(e)
        value['k'] += e.pop('k')
        for key in ('p', 'm', 't', 's'):
            value[key].append(e.pop(key))
        if e:
            extras[str(at)] = e
    if extras:
        value['x'] = extras
    return value


class TreeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.agent = Agent().start()

    @classmethod
    def tearDownClass(cls):
        cls.agent.close()

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix='chop-tree-test-')
        self.agent = type(self).agent
        self.extra = None

    def plain_agent(self):
        """An agent that permissions stop: this one, or as root one running as nobody (the system python3:
        root's pyenv is closed to others), who owns self.tmp."""
        if os.geteuid() != 0:
            return type(self).agent
        os.chmod(self.tmp, 0o755)
        os.chown(self.tmp, 65534, 65534)
        self.extra = Agent(python='/usr/bin/python3', preexec=lambda: (os.setgroups([]), os.setgid(65534), os.setuid(65534))).start()
        return self.extra

    def as_owner(self, path):
        if self.extra is not None:
            for folder, dirs, files in os.walk(path):
                for name in [folder] + [os.path.join(folder, n) for n in dirs + files]:
                    os.lchown(name, 65534, 65534)

    def tearDown(self):
        if self.extra is not None:
            self.assertFalse(self.extra.eof, 'agent exited: ' + self.extra.stderr.decode('utf-8', 'replace'))
            self.extra.close()
        self.agent = type(self).agent
        for folder, dirs, _ in os.walk(self.tmp):
            for name in dirs:
                os.chmod(os.path.join(folder, name), 0o755)
        shutil.rmtree(self.tmp, ignore_errors=True)
        self.assertIsNone(self.agent.bad)
        self.assertFalse(self.agent.eof, 'agent exited: ' + self.agent.stderr.decode('utf-8', 'replace'))

    def put_tree(self, root, entries, contents, whole=True, agent=None, listing='N', **params):
        """Runs tree_put: the manifest (as columns, N, as chop sends it; or M, an object an entry), then the
        content of every file the agent asks for. Returns (op, result, changes)."""
        self.agent = agent or type(self).agent
        rid = self.agent.request('tree_put', path=root, **params)
        self.agent.send(DATA, rid, tagged(listing, columns(entries) if listing == 'N' else entries))
        self.agent.send(DATA, rid, tagged('Z', {}))
        changes = []
        while True:
            op, payload = self.agent.next_frame(rid)
            if op != DATA:
                return op, json.loads(payload.decode('utf-8')), changes
            tag, value = chr(payload[0]), json.loads(payload[1:].decode('utf-8'))
            if tag == 'D':
                changes += value
            elif tag == 'R':
                break
        for change in changes:
            if 'i' not in change or params.get('dry_run'):
                continue
            data = contents[change['i']]
            head = {'i': change['i'], 'sha1': hashlib.sha1(data).hexdigest(), 'size': len(data)}
            if whole:
                header = json.dumps(head).encode()
                self.agent.send(DATA, rid, b'W' + struct.pack('>I', len(header)) + header + data)
            else:
                self.agent.send(DATA, rid, tagged('F', {'i': change['i']}))
                for start in range(0, len(data), 7):
                    self.agent.send(DATA, rid, b'C' + data[start:start + 7])
                self.agent.send(DATA, rid, tagged('E', head))
        self.agent.send(END, rid, b'{}')
        op, result, _ = self.agent.result(rid)
        return op, result, changes

    def sample(self):
        entries = [entry('', 'd', 0o755), entry('a.conf', 'f', 0o640, 1_600_000_000_000_000_000, 5),
                   entry('empty', 'd', 0o700), entry('sub', 'd', 0o750),
                   entry('sub/run.sh', 'f', 0o755, 1_500_000_000_123_456_789, 14),
                   entry('sub/link', 'l', link='../a.conf')]
        contents = {1: b'hello', 4: b'#!/bin/sh\necho'}
        return entries, contents

    def test_put_tree_keeps_modes_mtimes_links_and_empty_folders(self):
        root = os.path.join(self.tmp, 'dest')
        entries, contents = self.sample()
        op, result, changes = self.put_tree(root, entries, contents, whole=False)
        self.assertEqual(op, OK, result)
        self.assertEqual((result['files'], result['bytes'], result['failure_count']), (2, 19, 0))
        self.assertEqual(sorted((c['c'], c['p']) for c in changes),
                         [('+', 'a.conf'), ('+', 'empty'), ('+', 'sub'), ('+', 'sub/link'), ('+', 'sub/run.sh')])
        self.assertEqual(read(os.path.join(root, 'sub/run.sh')), b'#!/bin/sh\necho')
        st = os.stat(os.path.join(root, 'sub/run.sh'))
        self.assertEqual((st.st_mode & 0o7777, st.st_mtime_ns), (0o755, 1_500_000_000_123_456_789))
        self.assertEqual(os.stat(os.path.join(root, 'a.conf')).st_mode & 0o7777, 0o640)
        self.assertEqual(os.stat(os.path.join(root, 'sub')).st_mode & 0o7777, 0o750)
        self.assertEqual(os.stat(os.path.join(root, 'empty')).st_mode & 0o7777, 0o700)
        self.assertEqual(os.readlink(os.path.join(root, 'sub/link')), '../a.conf')
        self.assertEqual(sorted(os.listdir(root)), ['a.conf', 'empty', 'sub'])   # no temporary names left

    def test_small_files_arrive_without_importing_tempfile_or_hashlib(self):
        """A sync of a few small files is what most syncs are, on every host: the agent names its temporary
        files itself and hashes them with CPython's _sha1, and imports hashlib only once a MiB went through
        that (OpenSSL's SHA-1 is much faster on a whole tree)."""
        agent = self.extra = Agent().start()   # a fresh one: nothing imported yet but what its Python's site did
        loaded = "[m for m in ('tempfile', 'hashlib') if m in sys.modules]"
        before = agent.ok('eval', expr=loaded)['value']
        root = os.path.join(self.tmp, 'dest')
        entries, contents = self.sample()
        op, result, _ = self.put_tree(root, entries, contents, agent=agent)
        self.assertEqual((op, result['files']), (OK, 2), result)
        self.assertEqual(agent.ok('eval', expr=loaded)['value'], before)
        big = os.urandom(700 * 1024), os.urandom(700 * 1024)
        entries = [entry('', 'd', 0o755), entry('one', 'f', 0o644, 0, len(big[0])),
                   entry('two', 'f', 0o644, 0, len(big[1]))]
        op, result, _ = self.put_tree(os.path.join(self.tmp, 'big'), entries, {1: big[0], 2: big[1]}, agent=agent)
        self.assertEqual((op, result['files'], result['failures']), (OK, 2, []), result)
        self.assertEqual((read(os.path.join(self.tmp, 'big/one')), read(os.path.join(self.tmp, 'big/two'))), big)
        self.assertTrue(agent.ok('eval', expr="'hashlib' in sys.modules")['value'])

    def test_sync_again_is_unchanged_then_reports_each_change(self):
        root = os.path.join(self.tmp, 'dest')
        entries, contents = self.sample()
        self.assertEqual(self.put_tree(root, entries, contents)[0], OK)
        op, result, changes = self.put_tree(root, entries, contents)
        self.assertEqual((op, changes, result['files']), (OK, [], 0))
        with open(os.path.join(root, 'old.conf'), 'w') as f:
            f.write('x')
        entries[1]['s'], contents[1] = 6, b'hello!'
        entries[4]['m'] = 0o700
        op, result, changes = self.put_tree(root, entries, contents, delete=True)
        self.assertEqual(op, OK, result)
        self.assertEqual(sorted((c['c'], c['p'], c['w']) for c in changes),
                         [('-', 'old.conf', []), ('~', 'a.conf', ['content']), ('~', 'sub/run.sh', ['mode'])])
        self.assertFalse(os.path.exists(os.path.join(root, 'old.conf')))
        self.assertEqual(os.stat(os.path.join(root, 'sub/run.sh')).st_mode & 0o7777, 0o700)
        self.assertEqual(read(os.path.join(root, 'a.conf')), b'hello!')

    def test_checksum_compares_content_of_same_size_and_mtime(self):
        root = os.path.join(self.tmp, 'dest')
        entries, contents = self.sample()
        self.assertEqual(self.put_tree(root, entries, contents)[0], OK)
        with open(os.path.join(root, 'a.conf'), 'wb') as f:
            f.write(b'HELLO')
        os.utime(os.path.join(root, 'a.conf'), ns=(entries[1]['t'], entries[1]['t']))
        self.assertEqual(self.put_tree(root, entries, contents)[2], [])   # size and mtime agree
        entries[1]['h'] = hashlib.sha1(b'hello').hexdigest()
        entries[4]['h'] = hashlib.sha1(contents[4]).hexdigest()
        _, _, changes = self.put_tree(root, entries, contents, checksum=True)
        self.assertEqual([(c['c'], c['p']) for c in changes], [('~', 'a.conf')])
        self.assertEqual(read(os.path.join(root, 'a.conf')), b'hello')

    def test_dry_run_reports_and_touches_nothing(self):
        root = os.path.join(self.tmp, 'dest')
        os.mkdir(root)
        with open(os.path.join(root, 'old'), 'w') as f:
            f.write('x')
        entries, _ = self.sample()
        op, result, changes = self.put_tree(root, entries, {}, dry_run=True, delete=True)
        self.assertEqual(op, OK, result)
        self.assertIn(('-', 'old'), [(c['c'], c['p']) for c in changes])
        self.assertEqual(len(changes), 6)
        self.assertEqual(os.listdir(root), ['old'])

    def test_root_that_is_a_file_and_file_where_folder_is_needed(self):
        target = os.path.join(self.tmp, 'file')
        open(target, 'w').close()
        op, err, _ = self.agent.result(self.agent.request('tree_put', path=target))
        self.assertEqual((op, err['type']), (ERR, 'NotADirectoryError'))
        self.assertIn('is a file, not a directory', err['msg'])
        root = os.path.join(self.tmp, 'dest')
        os.makedirs(os.path.join(root, 'a.conf'))
        open(os.path.join(root, 'sub'), 'w').close()
        entries, contents = self.sample()
        op, result, _ = self.put_tree(root, entries, contents)
        self.assertEqual(op, OK)
        msgs = sorted(f['msg'] for f in result['failures'])
        self.assertTrue(any('is a directory where the tree has a file' in m for m in msgs), msgs)
        self.assertTrue(any('is a file where the tree has a directory' in m for m in msgs), msgs)

    def test_permission_denied_on_one_folder_the_rest_arrive(self):
        agent = self.plain_agent()
        root = os.path.join(self.tmp, 'dest')
        os.makedirs(os.path.join(root, 'sub'))
        self.as_owner(root)
        os.chmod(os.path.join(root, 'sub'), 0o555)
        entries, contents = self.sample()
        entries[3]['m'] = 0o555
        op, result, _ = self.put_tree(root, entries, contents, agent=agent)
        self.assertEqual(op, OK)
        self.assertEqual(result['files'], 1)
        self.assertEqual(result['failure_count'], 2, result)   # run.sh and the link
        self.assertEqual(read(os.path.join(root, 'a.conf')), b'hello')

    def test_names_with_newlines_spaces_and_bytes_that_are_not_utf8(self):
        root = os.path.join(self.tmp, 'dest')
        odd = b'caf\xe9 \nname'
        entries = [entry('', 'd', 0o755), entry(odd, 'f', 0o644, 0, 3)]
        op, result, changes = self.put_tree(root, entries, {1: b'abc'})
        self.assertEqual(op, OK, result)
        self.assertEqual(os.listdir(os.fsencode(root)), [odd])
        self.assertEqual(base64.b64decode(changes[0]['b']), odd)
        got = self.get_tree(root)
        names = [base64.b64decode(e['b']) if 'b' in e else e['p'].encode() for e in got['entries']]
        self.assertEqual(names, [b'', odd])
        self.assertEqual(got['contents'][odd], b'abc')

    def test_the_listing_as_objects_m_reads_as_the_columns_do(self):
        sent = {}
        for listing in ('M', 'N'):
            root = os.path.join(self.tmp, listing)
            entries, contents = self.sample()
            op, result, changes = self.put_tree(root, entries, contents, listing=listing)
            self.assertEqual(op, OK, result)
            again = self.put_tree(root, entries, contents, listing=listing)
            self.assertEqual((again[0], again[2]), (OK, []))
            os.chmod(os.path.join(root, 'sub', 'run.sh'), 0o700)
            third = self.put_tree(root, entries, contents, listing=listing)
            sent[listing] = (sorted(c['p'] for c in changes), [(c['c'], c['p'], c['w']) for c in third[2]])
        self.assertEqual(sent['M'], sent['N'])
        self.assertEqual(sent['N'][1], [('~', 'sub/run.sh', ['mode'])])

    def test_columns_carry_odd_names_links_and_sums_in_their_extras(self):
        root = os.path.join(self.tmp, 'dest')
        odd = b'caf\xe9'
        data = b'abc'
        sha1 = hashlib.sha1(data).hexdigest()
        entries = [entry('', 'd', 0o755), entry(odd, 'f', 0o644, 1_600_000_000_000_000_000, 3, sha1=sha1),
                   entry('to-odd', 'l', link='caf'), entry('plain', 'f', 0o600, 1_600_000_000_000_000_000, 3, sha1=sha1)]
        op, result, changes = self.put_tree(root, entries, {1: data, 3: data}, checksum=True)
        self.assertEqual(op, OK, result)
        self.assertEqual(read(os.path.join(os.fsencode(root), odd)), data)
        self.assertEqual(os.readlink(os.path.join(root, 'to-odd')), 'caf')
        self.assertEqual(oct(os.stat(os.path.join(root, 'plain')).st_mode & 0o777), '0o600')
        self.assertEqual(self.put_tree(root, entries, {}, checksum=True)[2], [])
        with open(os.path.join(root, 'plain'), 'wb') as f:   # same size, other bytes: the SHA-1 tells
            f.write(b'xyz')
        os.utime(os.path.join(root, 'plain'), ns=(1_600_000_000_000_000_000,) * 2)
        changes = self.put_tree(root, entries, {3: data}, checksum=True)[2]
        self.assertEqual([(c['p'], c['w']) for c in changes], [('plain', ['content'])])

    def test_a_column_listing_that_does_not_add_up_is_refused(self):
        for value in ({'k': 'df', 'p': ['', 'a'], 'm': [0o755], 't': [0, 0], 's': [0, 0]},
                      {'k': 'd', 'p': ['']},
                      ['not', 'columns'],
                      {'k': 'df', 'p': ['', '../evil'], 'm': [0o755, 0o644], 't': [0, 0], 's': [0, 1]}):
            root = os.path.join(self.tmp, 'dest')
            rid = self.agent.request('tree_put', path=root)
            self.agent.send(DATA, rid, tagged('N', value))
            op, err, _ = self.agent.result(rid)
            self.assertEqual((op, err['type']), (ERR, 'ProtocolError'), value)
            self.assertFalse(os.path.exists(os.path.join(self.tmp, 'evil')))

    def test_a_path_that_climbs_out_is_refused(self):
        root = os.path.join(self.tmp, 'dest')
        rid = self.agent.request('tree_put', path=root)
        self.agent.send(DATA, rid, tagged('M', [entry('', 'd'), entry('../evil', 'f', size=1)]))
        op, err, _ = self.agent.result(rid)
        self.assertEqual((op, err['type']), (ERR, 'ProtocolError'))
        self.assertFalse(os.path.exists(os.path.join(self.tmp, 'evil')))

    # ------------------------------------------------------------ tree_get

    def get_tree(self, path, **params):
        op, result, chunks = self.agent.result(self.agent.request('tree_get', path=path, **params))
        self.assertEqual(op, OK, result)
        entries, contents, current = [], {}, None
        for payload in chunks:
            tag = chr(payload[0])
            if tag == 'W':
                length = struct.unpack('>I', payload[1:5])[0]
                head = json.loads(payload[5:5 + length].decode())
                data = payload[5 + length:]
                self.assertEqual(hashlib.sha1(data).hexdigest(), head['sha1'])
                entries.append(head)
                contents[base64.b64decode(head['b']) if 'b' in head else head['p'].encode()] = data
            elif tag == 'C':
                current[1].append(payload[1:])
            elif tag == 'H':
                head = json.loads(payload[1:].decode())
                entries.append(head)
                current = (head, [])
            elif tag == 'E':
                head, parts = current
                contents[head['p'].encode()] = b''.join(parts)
            elif tag == 'X':
                entries.append(json.loads(payload[1:].decode()))
        result['entries'], result['contents'] = entries, contents
        return result

    def test_get_tree_sends_files_links_and_folders_and_skips_fifos(self):
        root = os.path.join(self.tmp, 'src')
        os.makedirs(os.path.join(root, 'b/empty'))
        big = os.urandom(300 * 1024)
        with open(os.path.join(root, 'b/big'), 'wb') as f:
            f.write(big)
        with open(os.path.join(root, 'a'), 'wb') as f:
            f.write(b'small')
        os.symlink('b', os.path.join(root, 'loop'))
        os.symlink('loop2', os.path.join(root, 'loop2'))
        os.mkfifo(os.path.join(root, 'fifo'))
        got = self.get_tree(root, recursive=True)
        self.assertEqual([e['p'] for e in got['entries']], ['', 'a', 'b', 'loop', 'loop2', 'b/big', 'b/empty'])
        self.assertEqual((got['files'], got['dirs'], got['links'], got['skipped']), (2, 2, 2, 1))
        self.assertEqual(got['contents'][b'b/big'], big)
        self.assertEqual([e.get('l') for e in got['entries'] if e['k'] == 'l'], ['b', 'loop2'])

    def test_get_of_a_file_and_of_nothing(self):
        path = os.path.join(self.tmp, 'f')
        open(path, 'w').close()
        op, err, _ = self.agent.result(self.agent.request('tree_get', path=path, recursive=True))
        self.assertEqual((op, err['type']), (ERR, 'NotADirectoryError'))
        op, err, _ = self.agent.result(self.agent.request('tree_get', path=path + '.none', recursive=True))
        self.assertEqual((op, err['type']), (ERR, 'FileNotFoundError'))

    def test_glob_expands_on_the_host_and_no_match_is_an_error(self):
        for name in ('a.log', 'b.log', 'c.txt'):
            with open(os.path.join(self.tmp, name), 'w') as f:
                f.write(name)
        got = self.get_tree(os.path.join(self.tmp, '*.log'), glob=True)
        self.assertEqual(sorted(got['contents']), [b'a.log', b'b.log'])
        op, err, _ = self.agent.result(self.agent.request('tree_get', path=os.path.join(self.tmp, '*.gz'),
                                                          glob=True))
        self.assertEqual(op, ERR)
        self.assertIn('no file matches', err['msg'])

    def test_unreadable_file_is_reported_and_the_rest_sent(self):
        self.agent = self.plain_agent()
        root = os.path.join(self.tmp, 'src')
        os.makedirs(root)
        for name in ('a', 'b'):
            with open(os.path.join(root, name), 'w') as f:
                f.write(name)
        self.as_owner(root)
        os.chmod(os.path.join(root, 'a'), 0)
        got = self.get_tree(root, recursive=True)
        self.assertEqual(got['failure_count'], 1)
        self.assertIn('cannot read', got['failures'][0]['msg'])
        self.assertEqual(got['contents'], {b'b': b'b'})

    def test_single_put_says_unchanged_when_the_same_bytes_are_there(self):
        target = os.path.join(self.tmp, 'same')
        for expected in (True, False):
            rid = self.agent.request('put', path=target, mode=0o644, size=4)
            self.agent.send(DATA, rid, b'data')
            self.agent.send(END, rid, json.dumps({'sha1': hashlib.sha1(b'data').hexdigest(), 'size': 4}).encode())
            op, res, _ = self.agent.result(rid)
            self.assertEqual((op, res['changed']), (OK, expected))
        self.assertEqual(os.listdir(self.tmp), ['same'])

    def test_cancelled_checksum_sync_of_a_big_tree_ends_promptly(self):
        # 2,000 names for one 32 MiB file (hard links, sparse): hashing them all takes minutes, so a CANCEL
        # answered within the wait was read while the comparing went on, and the hashing must stop too.
        root = os.path.join(self.tmp, 'dest')
        os.mkdir(root)
        big = os.path.join(root, 'f0')
        with open(big, 'wb') as f:
            f.truncate(32 << 20)
        entries = [entry('', 'd', 0o755)]
        for n in range(2000):
            if n:
                os.link(big, os.path.join(root, f'f{n}'))
            entries.append(entry(f'f{n}', 'f', 0o644, int(os.stat(big).st_mtime_ns), 32 << 20, sha1='0' * 40))
        rid = self.agent.request('tree_put', path=root, checksum=True)
        self.agent.send(DATA, rid, tagged('M', entries))
        self.agent.send(DATA, rid, tagged('Z', {}))
        inode = os.stat(big).st_ino
        fds = f'/proc/{self.agent.proc.pid}/fd'

        def hashing():
            for name in os.listdir(fds):
                with contextlib.suppress(OSError):
                    if os.stat(os.path.join(fds, name)).st_ino == inode:
                        return True
            return False

        self.assertTrue(wait_until(hashing), 'the agent never started hashing')
        self.agent.send(CANCEL, rid)
        op, value, _ = self.agent.result(rid)   # bounded: TIMEOUT, far less than the hashing would take
        self.assertEqual((op, value['type']), (ERR, 'Cancelled'))
        self.agent.ok('ping')
        # The hashing stops: the file stays closed (it is open all but microseconds between two names).
        self.assertTrue(wait_until(lambda: not any(hashing() for _ in range(20))), 'the hashing went on')
        self.assertEqual(self.agent.pending(rid), [], 'a second answer after Cancelled')


if __name__ == '__main__':
    unittest.main(verbosity=2)
