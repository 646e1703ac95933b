# chop agent part 40, facts. The parts are one program, joined in file-name order.


# ---------------------------------------------------------------- facts

def read_text(path):
    with open(path, 'rb') as f:
        return f.read().decode('utf-8', 'replace')


def is_ipv4(text):
    parts = text.split('.')
    return len(parts) == 4 and all(p.isdigit() and int(p) < 256 for p in parts)


def ips_from_hostname_cmd():
    try:
        proc = subprocess.Popen(['hostname', '-I'], stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        out = proc.communicate(timeout=5)[0]
    except (OSError, subprocess.TimeoutExpired):
        return []
    return [w for w in out.decode('ascii', 'replace').split() if is_ipv4(w)]


def ips_from_fib_trie():
    # A local address is a "|-- 10.1.2.3" line followed by a "/32 host LOCAL" line.
    try:
        lines = [line.strip() for line in read_text('/proc/net/fib_trie').splitlines()]
    except OSError:
        return []
    return [lines[i][4:] for i in range(len(lines) - 1)
            if lines[i].startswith('|-- ') and 'host LOCAL' in lines[i + 1]
            and is_ipv4(lines[i][4:])]


def fact_ip():
    # Local lookups only: never a packet to anywhere (no UDP-connect trick).
    try:
        ip = socket.gethostbyname(socket.gethostname())
    except OSError:
        ip = None
    if ip and not ip.startswith('127.'):
        return ip
    for candidate in ips_from_hostname_cmd() + ips_from_fib_trie():
        if not candidate.startswith('127.'):
            return candidate
    return ip or '127.0.0.1'


def parse_os_release(text):
    values = {}
    for line in text.splitlines():
        key, sep, value = line.strip().partition('=')
        if not sep or key.startswith('#'):
            continue
        value = value.strip()
        quote = value[:1]
        if quote in ('"', "'") and len(value) >= 2 and value.endswith(quote):
            value = value[1:-1]
            if quote == '"':   # shell-style escapes are allowed inside double quotes
                value = re.sub(r'\\([\\"$`])', r'\1', value)
        values[key.strip()] = value
    return values


def fact_os():
    values = {}
    for path in ('/etc/os-release', '/usr/lib/os-release'):
        if os.path.exists(path):
            values = parse_os_release(read_text(path))
            break
    return {'id': values.get('ID'), 'name': values.get('NAME'),
            'version_id': values.get('VERSION_ID'), 'pretty_name': values.get('PRETTY_NAME')}


def fact_memory():
    info = {}
    for line in read_text('/proc/meminfo').splitlines():
        fields = line.replace(':', ' ').split()
        if len(fields) >= 2 and fields[1].isdigit():
            info[fields[0]] = int(fields[1]) * 1024   # "kB" there means KiB
    available = info.get('MemAvailable')
    if available is None:   # kernels before 3.14
        available = sum(info.get(k, 0) for k in ('MemFree', 'Buffers', 'Cached'))
    return {'total': info['MemTotal'], 'available': available}


def fact_disk():
    st = os.statvfs('/')
    return {'path': '/', 'total': st.f_blocks * st.f_frsize,
            'used': (st.f_blocks - st.f_bfree) * st.f_frsize, 'free': st.f_bavail * st.f_frsize}


FACTS = [
    ('hostname', lambda: socket.gethostname()),
    ('fqdn', lambda: socket.getfqdn()),
    ('ip', fact_ip),
    ('os', fact_os),
    ('kernel', lambda: platform.release()),
    ('arch', lambda: platform.machine()),
    ('python_version', lambda: platform.python_version()),
    ('uptime', lambda: float(read_text('/proc/uptime').split()[0])),
    ('loadavg', lambda: [float(x) for x in os.getloadavg()]),
    ('cpus', os.cpu_count),
    ('memory', fact_memory),
    ('disk', fact_disk),
]


@handles('facts')
def op_facts(req, params):
    known = [name for name, _ in FACTS]
    names = param(params, 'names', (list,))
    names = known if names is None else names
    unknown = [str(n) for n in names if n not in known]
    if unknown:
        raise Failure('ValueError', f"facts: unknown fact(s) {', '.join(unknown)}; "
                                    f"known facts: {', '.join(known)}")
    facts, errors = {}, {}
    for name, func in FACTS:
        if name in names:
            try:
                facts[name] = func()
            except Exception as e:   # noqa: BLE001 -- one broken fact must not spoil the rest
                facts[name] = None
                errors[name] = f'{type(e).__name__}: {e}'
    return {'facts': facts, 'errors': errors}
