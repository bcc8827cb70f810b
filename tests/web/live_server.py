"""A real ``chatsession serve`` in a subprocess on a loopback port, seeded through the CLI.

``LiveServer.start(tmp_path)`` makes a SQLite file with the RejectTransfer cast, as a user
would with the command line: associates alice (7), bob (8) and carol (9, no topic) with
passwords, an administrator (1), topic 1 where alice and bob respond and are present;
then serves it and waits until it answers.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

CAST = {  # user name: (associate id, full name, password)
    "alice": (7, "Alice Agent", "alice-secret-1"),
    "bob": (8, "Bob Agent", "bob-secret-2"),
    "carol": (9, "Carol Outsider", "carol-secret-3"),
    "admin": (1, "Ada Admin", "admin-secret-4"),
}
CLI = [sys.executable, "-m", "chatsession"]


def cli(db: Path, *args: str, stdin: str | None = None) -> str:
    """Run one CLI command on ``db``; its standard output (it must succeed)."""
    done = subprocess.run(
        [*CLI, "--db", str(db), *args], input=stdin, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, f"{args}: {done.stderr}"
    return done.stdout


def seed(db: Path) -> None:
    """The cast, topic 1, its agents and their presence."""
    for user_name, (associate_id, full_name, password) in CAST.items():
        extra = ["--admin"] if user_name == "admin" else []
        cli(db, "associate", "add", "--id", str(associate_id), "--user-name", user_name,
            "--full-name", full_name, "--password-stdin", *extra, stdin=password + "\n")
    cli(db, "topic", "add", "--id", "1", "--name", "Support", "--welcome", "Hello!")
    for associate_id in (7, 8):
        cli(db, "agent", "add", "--topic", "1", "--user", str(associate_id), "--respond")
        cli(db, "presence", "set", "--user", str(associate_id), "--present")


def free_port() -> int:
    """A loopback port nobody listens on (now)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class LiveServer:
    """A running ``chatsession serve``; ``url`` is its base URL."""

    db: Path
    url: str
    process: subprocess.Popen[str]

    @classmethod
    def start(cls, directory: Path, seeded: Path | None = None) -> LiveServer:
        """Serve a copy of ``seeded`` (or a database seeded now) from ``directory``.

        Waits until the server answers.
        """
        db = directory / "chat.sqlite3"
        if seeded is None:
            seed(db)
        else:
            shutil.copyfile(seeded, db)
        port = free_port()
        process = subprocess.Popen(
            [*CLI, "--db", str(db), "serve", "--host", "127.0.0.1", "--port", str(port),
             "--log-level", "info"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        server = cls(db, f"http://127.0.0.1:{port}", process)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if process.poll() is not None:
                printed = process.stdout.read() if process.stdout else ""
                raise RuntimeError(f"serve exited: {printed}")
            try:
                if httpx.get(server.url + "/openapi.json", timeout=1).status_code == 200:
                    return server
            except httpx.TransportError:
                time.sleep(0.1)
        server.stop()
        raise RuntimeError("serve did not answer within 30 s")

    def stop(self) -> str:
        """Stop the server (SIGINT, as Ctrl-C); what it printed."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.stdout.read() if self.process.stdout else ""

    def auth(self, user_name: str) -> tuple[str, str]:
        """HTTP Basic credentials of a cast member."""
        return user_name, CAST[user_name][2]
