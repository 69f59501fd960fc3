"""Profile one tap in process: its statements and where its time goes (pyinstrument).

    .venv/bin/python -m bench.load --scale 0.1 --db rollbook_bench_0_1   # a school to tap on
    .venv/bin/python -m bench.profile_tap --db rollbook_bench_0_1 --taps 300
    .venv/bin/python -m bench.profile_tap --db rollbook_bench_0_1 --roll-page   # the page instead

Taps go through Django's test Client with a real session and CSRF cookie, as the benchmark's
HTTP client sends them (bench/run.py ``School.tap``), Present and Absent in turn so every tap
writes and audits. Prints the statements of one tap, the CPU and wall time per tap (the app's,
and the PostgreSQL backend's when it runs on this machine), the one-query floor view beside it,
and pyinstrument's tree of the taps (``PROFILE_ALL=1``: with the frames of Django and the
libraries that it hides by default).
"""

from __future__ import annotations

import argparse
import os
import random
import time


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="rollbook_bench_0_1")
    parser.add_argument("--taps", type=int, default=300)
    parser.add_argument("--period", type=int, default=4)
    parser.add_argument("--html", help="also write pyinstrument's HTML report here")
    parser.add_argument("--show-sql", action="store_true", help="print the SQL of one tap in full")
    parser.add_argument("--no-profile", action="store_true", help="only the statements and the times")
    parser.add_argument("--roll-page", action="store_true", help="the roll page (as the benchmark opens it), not taps")
    args = parser.parse_args(argv)

    from bench.load import setup_django

    setup_django(args.db)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from pyinstrument import Profiler

    from bench.run import Request, School, _measure_in_process, send_in_process

    s = School(random.Random(1))  # noqa: S311
    cls = s.classes[0]
    students = s.roster[cls.pk]
    present, absent = s.codes[1], s.codes[0]
    key = s.teacher_session(cls.pk)
    client = Client(HTTP_HOST="127.0.0.1", enforce_csrf_checks=True)
    state = {"i": 0}

    def tap() -> Request:
        state["i"] += 1
        student = students[state["i"] % len(students)]
        code = (present, absent)[(state["i"] // len(students)) % 2]
        return s.tap(cls.pk, args.period, student, code.pk, key)

    for _ in range(2 * len(students)):  # warm: every student marked, caches and connection ready
        _measure_in_process(client, tap())
    if args.roll_page:

        def tap() -> Request:  # noqa: F811 the request profiled: the roll page
            return s.roll(cls.pk, args.period, key)

    def floor() -> Request:
        return Request("GET", "/bench/floor/")

    with CaptureQueriesContext(connection) as queries:
        _, status = _measure_in_process(client, tap())
    what = "roll page" if args.roll_page else "tap"
    print(f"one {what}: status {status}, {len(queries.captured_queries)} statements")
    for n, q in enumerate(queries.captured_queries, 1):
        sql = q["sql"] if args.show_sql else q["sql"][:150]
        print(f"  {n:2}. {q['time']}s {sql}")

    def send(request: Request) -> None:
        """The request as _measure_in_process sends it, without recording its queries."""
        response = send_in_process(client, request)
        assert response.status_code == 200, response.status_code

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]

    def server_cpu() -> float:
        """The CPU seconds of the PostgreSQL backend serving these requests (on this machine, where
        /proc shows it; else 0)."""
        try:
            fields = open(f"/proc/{backend}/stat").read().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def timed(make, n: int) -> tuple[float, float, float]:
        cpu, wall, server = time.process_time(), time.perf_counter(), server_cpu()
        for _ in range(n):
            send(make())
        done = (time.process_time() - cpu, time.perf_counter() - wall, server_cpu() - server)
        return tuple(t / n * 1000 for t in done)

    floor_cpu, floor_wall, floor_server = timed(floor, args.taps)
    tap_cpu, tap_wall, tap_server = timed(tap, args.taps)
    print(
        f"floor view: {floor_cpu:.2f} ms CPU, {floor_wall:.2f} ms wall per request,"
        f" {floor_server:.2f} ms PostgreSQL CPU"
    )
    print(
        f"{what + ':':11} {tap_cpu:.2f} ms CPU, {tap_wall:.2f} ms wall per {what}"
        f" ({tap_wall / floor_wall:.1f}x the floor), {tap_server:.2f} ms PostgreSQL CPU"
    )

    if args.no_profile:
        return 0
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(args.taps):
        send(tap())
    profiler.stop()
    print(profiler.output_text(unicode=True, color=False, show_all=bool(os.environ.get("PROFILE_ALL"))))
    if args.html:
        with open(args.html, "w") as out:
            out.write(profiler.output_html())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
