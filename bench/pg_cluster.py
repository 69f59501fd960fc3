"""A throwaway PostgreSQL primary and its streaming replica, for the replica test and the benchmark.

``tests/replica/test_streaming_replica.py`` and ``bench/replica_rush.py`` both start one: Debian's
PostgreSQL 15 binaries, ``initdb`` in a temporary folder, ``pg_basebackup -R`` for the replica,
two postmasters on free ports listening on 127.0.0.1 only, run as the ``postgres`` user
(PostgreSQL refuses to run as root). The machine's own PostgreSQL server is never touched, and
``stop()`` removes the folder.

    with Cluster() as cluster:
        cluster.url(cluster.primary_port, "postgres")
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def as_postgres(*command: str, **kwargs) -> subprocess.CompletedProcess:
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    return subprocess.run([*prefix, *command], check=True, capture_output=True, text=True, timeout=120, **kwargs)  # noqa: S603


class Cluster:
    """A primary and its streaming replica in a temporary folder.

    ``settings`` are extra ``postgresql.conf`` lines for both servers (the replica copies the
    primary's file); ``database``, when given, is created on the primary once both run.
    """

    def __init__(self, settings: dict[str, str] | None = None, database: str | None = "rollbook") -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="rollbook-replica-"))
        self.folder.chmod(0o777)  # noqa: S103 (the postgres user writes the servers' folders inside)
        self.primary_port, self.replica_port = free_port(), free_port()
        self.primary, self.replica = self.folder / "primary", self.folder / "replica"
        self.settings = settings or {}
        self.database = database

    def __enter__(self) -> Cluster:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> None:
        initdb = PG_BIN / "initdb"
        if not initdb.exists():
            raise FileNotFoundError(f"{initdb} not found: Debian's postgresql-15 package provides it (or set PG_BIN)")
        as_postgres(str(initdb), "-D", str(self.primary), "-U", "postgres", "-A", "trust", "--no-sync")
        lines = {
            "port": str(self.primary_port),
            "listen_addresses": "'127.0.0.1'",
            "unix_socket_directories": f"'{self.folder}'",
            "wal_level": "replica",
            "max_wal_senders": "4",
            "hot_standby": "on",
            **self.settings,
        }
        with (self.primary / "postgresql.conf").open("a") as conf:
            conf.write("".join(f"{name} = {value}\n" for name, value in lines.items()))
        self.pg_ctl(self.primary, "start")
        as_postgres(
            str(PG_BIN / "pg_basebackup"),
            *("-h", "127.0.0.1", "-p", str(self.primary_port), "-U", "postgres"),
            *("-D", str(self.replica), "-R", "-X", "stream", "--no-sync"),
        )
        with (self.replica / "postgresql.conf").open("a") as conf:
            conf.write(f"port = {self.replica_port}\n")
        self.pg_ctl(self.replica, "start")
        if self.database:
            with psycopg.connect(self.url(self.primary_port, "postgres"), autocommit=True) as connection:
                connection.execute(f'CREATE DATABASE "{self.database}"')

    def pg_ctl(self, data: Path, action: str) -> None:
        as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", f"{data}.log", "-w", "-m", "immediate", action)

    def server(self, port: int) -> str:
        """``postgres://…`` without a database, as ``BENCH_PG`` is written."""
        return f"postgres://postgres@127.0.0.1:{port}"

    def url(self, port: int, database: str | None = None) -> str:
        return f"{self.server(port)}/{database or self.database}"

    def replay(self, *, paused: bool) -> None:
        with psycopg.connect(self.url(self.replica_port, "postgres"), autocommit=True) as connection:
            connection.execute("SELECT pg_wal_replay_pause()" if paused else "SELECT pg_wal_replay_resume()")

    def caught_up(self, timeout: float = 300) -> float:
        """Wait until the replica has replayed everything the primary has written so far."""
        primary, replica = self.url(self.primary_port, "postgres"), self.url(self.replica_port, "postgres")
        return wait_for_replay(primary, replica, timeout)

    def stop(self) -> None:
        for data in (self.replica, self.primary):
            if data.exists():
                try:
                    self.pg_ctl(data, "stop")
                except subprocess.CalledProcessError:
                    pass
        shutil.rmtree(self.folder, ignore_errors=True)


def wait_for_replay(primary_url: str, replica_url: str, timeout: float = 300) -> float:
    """Wait until the replica at ``replica_url`` has replayed the primary's WAL up to now; returns
    the seconds waited."""
    started = time.monotonic()
    with psycopg.connect(primary_url, autocommit=True) as primary:
        target = primary.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
    with psycopg.connect(replica_url, autocommit=True) as replica:
        while True:
            behind = replica.execute("SELECT pg_wal_lsn_diff(%s, pg_last_wal_replay_lsn())", [target]).fetchone()[0]
            if behind <= 0:
                return time.monotonic() - started
            if time.monotonic() - started > timeout:
                raise TimeoutError(f"the replica is still {behind} bytes behind after {timeout:.0f} s")
            time.sleep(0.1)
