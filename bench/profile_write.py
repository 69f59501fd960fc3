"""Profile one of the benchmark's API writes in process: its statements and where its time goes.

    .venv/bin/python -m bench.load --scale 1 --db rollbook_bench          # a school to write to
    .venv/bin/python -m bench.profile_write --db rollbook_bench --write powerschool --n 100
    .venv/bin/python -m bench.profile_write --db rollbook_bench --write managebac --n 200

The request is the benchmark's own (bench/run.py ``scenarios``: the PowerSchool batch of 200
daily records, the ManageBac PUT of 30 marks), sent through Django's test Client with the same
token; each one changes every mark it names (two codes in turn). Prints the statements of one
request, the CPU and wall time per request (the app's, and the PostgreSQL backend's when it runs
on this machine), and pyinstrument's tree.
"""

from __future__ import annotations

import argparse
import os
import random
import time

WRITES = {"powerschool": "PowerSchool batch of 200", "managebac": "ManageBac PUT of 30 marks"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="rollbook_bench")
    parser.add_argument("--write", choices=sorted(WRITES), default="powerschool")
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--show-sql", action="store_true", help="print the SQL of one request in full")
    parser.add_argument("--no-profile", action="store_true", help="only the statements and the times")
    args = parser.parse_args(argv)

    from bench.load import setup_django

    setup_django(args.db)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from pyinstrument import Profiler

    from bench.run import School, scenarios, send_in_process

    s = School(random.Random(1))  # noqa: S311
    client = Client(HTTP_HOST="127.0.0.1")
    token = client.post(
        "/oauth/access_token",
        "grant_type=client_credentials",
        content_type="application/x-www-form-urlencoded",
        headers={"Authorization": s.ps_basic},
    )
    s.ps_token = token.json()["access_token"]
    make = scenarios(s)[WRITES[args.write]][0]

    def send() -> None:
        response = send_in_process(client, make("127.0.0.1"))
        assert response.status_code == 200, (response.status_code, response.content[:300])

    for _ in range(4):  # warm: caches, the token's first use, the connection
        send()
    with CaptureQueriesContext(connection) as queries:
        send()
    print(f"{WRITES[args.write]}: {len(queries.captured_queries)} statements")
    for n, q in enumerate(queries.captured_queries, 1):
        sql = q["sql"] if args.show_sql else q["sql"][:160]
        print(f"  {n:2}. {q['time']}s {sql}")

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]

    def server_cpu() -> float:
        try:
            fields = open(f"/proc/{backend}/stat").read().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    cpu, wall, server = time.process_time(), time.perf_counter(), server_cpu()
    for _ in range(args.n):
        send()
    cpu, wall, server = (
        (time.process_time() - cpu) / args.n * 1000,
        (time.perf_counter() - wall) / args.n * 1000,
        (server_cpu() - server) / args.n * 1000,
    )
    print(f"per request: {cpu:.2f} ms CPU, {wall:.2f} ms wall, {server:.2f} ms PostgreSQL CPU")

    if args.no_profile:
        return 0
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(args.n):
        send()
    profiler.stop()
    print(profiler.output_text(unicode=True, color=False, show_all=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
