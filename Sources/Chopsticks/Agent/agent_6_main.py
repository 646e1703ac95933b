# chop agent, part 6 of 6: the request table, the reader loop and main(). The parts are one
# program, joined in file-name order (see agent_1_core.py).


HANDLERS = {'ping': op_ping, 'run': op_run, 'call': op_call, 'exec': op_exec,
            'facts': op_facts, 'fetch': op_fetch}


# ---------------------------------------------------------------- main loop

def serve(req, params, handler):
    try:
        result = handler(req, params)
    except Failure as e:
        req.finish(ERR, e.payload)
    except BaseException as e:   # noqa: BLE001 -- an agent bug or an unchecked bad parameter
        req.finish(ERR, {'type': type(e).__name__, 'msg': str(e), 'tb': traceback.format_exc()})
    else:
        if result is not None:   # None: the request was cancelled and has answered
            req.finish(OK, result)


def handle_request(rid, payload):
    try:
        params = json.loads(payload.decode('utf-8'))
    except ValueError as e:
        return send(ERR, rid, to_json(protocol_error(f'invalid REQ JSON: {e}').payload))
    op = params.get('op') if isinstance(params, dict) else None
    if op != 'put' and op not in HANDLERS:
        msg = f"unknown op {op!r}; known ops: {', '.join(sorted(HANDLERS))}, put"
        return send(ERR, rid, to_json(protocol_error(msg).payload))
    with ACTIVE_LOCK:
        if rid in ACTIVE:
            sys.stderr.write(f'chop agent: ignoring REQ for busy id {rid}\n')
            return None
        req = ACTIVE[rid] = Request(rid, op)
    if op == 'put':
        start_put(req, params)   # here, not in a thread, so its DATA finds the file open
    elif op == 'ping':
        serve(req, params, op_ping)   # here too: it cannot block, and a thread would cost more than it
    else:
        WORKERS.submit(serve, req, params, HANDLERS[op])
    return None


def reader_loop():
    while True:
        header = read_exact(HEADER.size)
        if header is None:
            shutdown(0)
        length, op, rid = HEADER.unpack(header)
        if length < 5 or length > MAX_FRAME:
            shutdown(5, f'chop agent: bad frame length {length} (must be 5..{MAX_FRAME})')
        payload = read_exact(length - 5)
        if payload is None:
            shutdown(0, 'chop agent: input ended inside a frame')
        upload = UPLOADS.get(rid)
        if op == REQ:
            handle_request(rid, payload)
        elif op == DATA and upload:   # DATA/END for unknown or failed ids are ignored
            upload.data(payload)
        elif op == END and upload:
            upload.end(payload)
        elif op == CANCEL:
            req = ACTIVE.get(rid)   # finished or unknown ids: nothing to cancel
            if req:
                req.cancel()
        elif op not in (DATA, END):
            sys.stderr.write(f'chop agent: ignoring frame with op {op}\n')


def on_signal(signum, frame):
    shutdown(0)


def main():
    global IN_FD, OUT_FD
    # Keep the protocol on private fds and make fds 0 and 1 harmless, so children
    # and C code writing to "stdout" can never corrupt a frame.
    IN_FD, OUT_FD = os.dup(0), os.dup(1)
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    try:
        os.dup2(2, 1)
    except OSError:   # no fd 2 at all
        os.dup2(null, 1)
    if null > 2:
        os.close(null)
    sys.stdout, sys.stderr = CaptureStream('out', 1), CaptureStream('err', 2)
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(sig, on_signal)
    send(HELLO, 0, to_json({'agent': 1, 'python': platform.python_version(),
                            'executable': sys.executable or '', 'pid': os.getpid(),
                            'hostname': socket.gethostname(),
                            'facts': [name for name, _ in FACTS]}))
    reader_loop()


if __name__ in ('__main__', '__chop_agent__'):
    main()
