"""Runs the founder's app inside its sandbox and is the only way in to it. Standard library only: it
runs with the sandbox's own Python, not the worker's.

    python3 supervisor.py --port 8000 --log .cofounder/app.log [--listen-fd 3] -- <command>

1. Refuses a port that something already listens on ("port_in_use").
2. Starts `<command>` with its output going to the log (the last LOG_KEEP bytes kept, so a chatty
   server never blocks on a full pipe and the agent can read its errors).
3. Waits until a socket listens on the port and checks that it belongs to the started command or a
   child of it ("not_ours" otherwise): an answer on the port from anything else is never the app.
4. Forwards every connection accepted on the inherited Unix socket `--listen-fd` (made by the worker
   outside the sandbox, in a folder the sandbox cannot see) to 127.0.0.1:port. The app's network
   namespace has nothing else, so this is the preview's only way in and the app has no way out.

Status lines (JSON) on stdout: {"status": "listening"}, {"status": "refused", "reason": ...},
{"status": "exited", "code": N}. The app's own output never goes there.
"""

import argparse
import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time

LOG_LIMIT, LOG_KEEP = 1_000_000, 250_000
LISTEN = "0A"  # TCP_LISTEN in /proc/net/tcp


def say(status, **fields):
    sys.stdout.write(json.dumps({"status": status, **fields}) + "\n")
    sys.stdout.flush()


def port_in_use(port):
    for family, host in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
        try:
            with socket.socket(family, socket.SOCK_STREAM) as probe:
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a closed connection's TIME_WAIT is not a use
                probe.bind((host, port))
        except OSError as exc:
            if exc.errno == 98:  # EADDRINUSE
                return True
    return False


def listening_inodes(port):
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as handle:
                rows = handle.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            if len(fields) > 9 and fields[3] == LISTEN and int(fields[1].rsplit(":", 1)[1], 16) == port:
                found.add(fields[9])
    return found


def family_of(root):
    """`root` and every process descended from it."""
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    parents[int(entry)] = int(handle.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    family, grew = {root}, True
    while grew:
        grew = False
        for pid, parent in parents.items():
            if parent in family and pid not in family:
                family.add(pid)
                grew = True
    return family


def owners(inodes):
    pids = set()
    wanted = {f"socket:[{inode}]" for inode in inodes}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            for fd in os.listdir(f"/proc/{entry}/fd"):
                if os.readlink(f"/proc/{entry}/fd/{fd}") in wanted:
                    pids.add(int(entry))
                    break
        except OSError:
            continue
    return pids


class Log:
    def __init__(self, path):
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        self.path = path
        self.handle = open(path, "ab")

    def write(self, data):
        self.handle.write(data)
        self.handle.flush()
        if self.handle.tell() > LOG_LIMIT:
            self.handle.close()
            with open(self.path, "rb") as old:
                old.seek(-LOG_KEEP, os.SEEK_END)
                tail = old.read()
            with open(self.path, "wb") as new:
                new.write(b"[earlier output dropped]\n" + tail)
            self.handle = open(self.path, "ab")


async def pipe(reader, writer):
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        try:
            writer.close()
        except OSError:
            pass


async def forward(port, listen_fd):
    async def relay(client_reader, client_writer):
        try:
            app_reader, app_writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            try:
                app_reader, app_writer = await asyncio.open_connection("::1", port)
            except OSError:
                client_writer.close()
                return
        await asyncio.gather(pipe(client_reader, app_writer), pipe(app_reader, client_writer))

    listener = socket.socket(fileno=listen_fd)
    listener.setblocking(False)
    return await asyncio.start_unix_server(relay, sock=listener)


async def supervise(args):
    if port_in_use(args.port):
        say("refused", reason="port_in_use")
        return 3
    log = Log(args.log)
    # in the supervisor's own process group: stopping the supervisor's group stops the app with it
    app = await asyncio.create_subprocess_exec("/bin/sh", "-c", args.command, stdin=subprocess.DEVNULL,
                                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)

    async def copy_output():
        while chunk := await app.stdout.read(65536):
            log.write(chunk)

    output = asyncio.create_task(copy_output())
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, lambda: _kill(app))
    deadline = time.monotonic() + args.wait
    while True:
        if app.returncode is not None:
            await output
            say("exited", code=app.returncode)
            return app.returncode
        inodes = listening_inodes(args.port)
        if inodes:
            if owners(inodes) & family_of(app.pid):
                break
            say("refused", reason="not_ours")
            _kill(app)
            return 4
        if time.monotonic() > deadline:
            say("refused", reason="not_listening")
            _kill(app)
            return 5
        await asyncio.sleep(0.1)
    if args.listen_fd is not None:
        await forward(args.port, args.listen_fd)
    say("listening", port=args.port)
    code = await app.wait()
    await output
    say("exited", code=code)
    return code


def _kill(app):
    for pid in family_of(app.pid):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--listen-fd", type=int)
    parser.add_argument("--wait", type=float, default=15.0)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    args.command = " ".join(args.command[1:] if args.command[:1] == ["--"] else args.command)
    sys.exit(asyncio.run(supervise(args)))


if __name__ == "__main__":
    main()
