"""The first-period rush with term reports running at the same time: primary alone, then with a replica.

    .venv/bin/python -m bench.replica_rush --scale 1    # this scenario alone (bench/run.py runs it too)

It starts a PostgreSQL primary and streaming replica of its own (bench/pg_cluster.py: the
machine's own server is not touched), builds the school on the primary (bench/load.py) and waits
for the replica to replay it. Then it serves the app with gunicorn twice, first on the primary
alone and then with ``DATABASE_REPLICA_URL`` naming the replica (attendance_site/replica.py sends
the office's report pages there). Each time, 100 teachers open a roll and tap 20-30 students with
no pauses, as in the first-period rush (period 1 the first time, period 2 the second, so both
write fresh marks), while ``--reporters`` office clients load the school term report page one
after another until the last teacher is done; then the one-query floor view under the same 100
clients, as in the rush. The rows read on each server during each setup show where the reports
ran. Both servers share the machine's cores with the app and the load.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.pg_cluster import Cluster, wait_for_replay

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
SCENARIO = "rush with term reports"
REPORT = "school term report page during the rush"
SETUPS = (("primary alone", 1), ("with the replica", 2))  # (setup, period of the roll)


def log(message: str) -> None:
    print(f"[bench.replica_rush {time.strftime('%H:%M:%S')}] {message}", flush=True)


def rows_read(url: str, db: str) -> int:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT tup_returned + tup_fetched FROM pg_stat_database WHERE datname = %s", [db]
        ).fetchone()
    return row[0] if row else 0


def school_report(s):
    """The office's school term report page (the Spring term), as bench/run.py times it."""
    from bench.run import Request

    return Request("GET", f"/office/reports/?term={s.term.pk}", s.cookies(s.admin_session))


async def rush_with_reports(s, session, base: str, teachers: int, period: int, reporters: int, seed: int) -> dict:
    """The rush's teachers on ``period``'s rolls while ``reporters`` clients load the school term
    report one after another, then the floor view under the same clients."""
    from bench.run import Request, percentile, send

    rng = random.Random(seed)  # noqa: S311 (the same plan in both setups)
    plans = []
    for c in s.classes[:teachers]:
        students = s.roster[c.pk]
        codes = [s.codes[-1].pk] * 9 + [s.codes[0].pk, s.codes[2].pk]
        taps = [(students[i % len(students)], rng.choice(codes)) for i in range(rng.randint(20, 30))]
        plans.append((c, s.teacher_session(c.pk), taps))
    tap_times, report_times, errors, report_errors = [], [], 0, 0
    teachers_left = len(plans)

    async def teacher(c, key, taps):
        nonlocal errors, teachers_left
        _, status = await send(session, base, s.roll(c.pk, period, key))
        errors += status >= 400
        for student, code in taps:
            elapsed, status = await send(session, base, s.tap(c.pk, period, student, code, key))
            tap_times.append(elapsed)
            errors += status >= 400
        teachers_left -= 1

    report = school_report(s)

    async def reporter():
        nonlocal report_errors
        while teachers_left:
            elapsed, status = await send(session, base, report)
            report_times.append(elapsed)
            report_errors += status >= 400

    start = time.perf_counter()
    await asyncio.gather(*(teacher(*plan) for plan in plans), *(reporter() for _ in range(reporters)))
    wall = time.perf_counter() - start

    floor_times, floor_errors = [], 0

    async def floor_client(count):
        nonlocal floor_errors
        for _ in range(count):
            elapsed, status = await send(session, base, Request("GET", "/bench/floor/"))
            floor_times.append(elapsed)
            floor_errors += status >= 400

    start_floor = time.perf_counter()
    await asyncio.gather(*(floor_client(len(taps) + 1) for _, _, taps in plans))
    floor_wall = time.perf_counter() - start_floor
    return {
        "teachers": len(plans),
        "reporters": reporters,
        "period": period,
        "taps": len(tap_times),
        "taps_per_s": len(tap_times) / wall,
        "tap_p50_ms": percentile(tap_times, 0.5),
        "tap_p95_ms": percentile(tap_times, 0.95),
        "reports": len(report_times),
        "reports_per_s": len(report_times) / wall,
        "report_p50_ms": percentile(report_times, 0.5),
        "report_p95_ms": percentile(report_times, 0.95),
        "errors": errors,
        "report_errors": report_errors,
        "wall_s": wall,
        "floor_requests": len(floor_times),
        "floor_rps": len(floor_times) / floor_wall,
        "floor_p50_ms": percentile(floor_times, 0.5),
        "floor_errors": floor_errors,
    }


def run_child(args) -> dict:
    """In its own process, Django set up on the cluster's primary (``BENCH_PG``)."""
    from bench.load import setup_django

    setup_django(args.db)
    from bench import run as bench

    s = bench.School(random.Random(args.seed))  # noqa: S311
    for c in s.classes[: args.teachers]:
        s.teacher_session(c.pk)  # sessions are made before the event loop starts
    floor = bench.time_sql(args.db, bench.sql_floors(s)["school term report page"], 30, args.budget)
    report_floor_ms = bench.percentile(floor, 0.5)
    log(f"school term report's SQL floor, alone: {report_floor_ms:.1f} ms")
    primary = f"{bench.PG}/{args.db}"
    replica = f"{args.replica_pg}/{args.db}"
    setups = []
    for setup, period in SETUPS:
        waited = wait_for_replay(primary, replica)
        env = {"DATABASE_REPLICA_URL": replica} if setup == "with the replica" else {}
        read_before = {"primary": rows_read(primary, args.db), "replica": rows_read(replica, args.db)}
        port = bench.free_port()
        base = f"http://127.0.0.1:{port}"
        server = bench.start_server(args.db, port, args.workers, args.worker_class, args.threads, env=env)
        try:
            import aiohttp

            async def drive(base=base, server=server, period=period):
                await bench.wait_ready(base, server)
                connector = aiohttp.TCPConnector(limit=0)
                timeout = aiohttp.ClientTimeout(total=300)
                async with aiohttp.ClientSession(
                    connector=connector, timeout=timeout, cookie_jar=aiohttp.DummyCookieJar()
                ) as session:
                    # One report first, so neither setup times a database's cold cache.
                    await bench.send(session, base, school_report(s))
                    return await rush_with_reports(s, session, base, args.teachers, period, args.reporters, args.seed)

            result = asyncio.run(drive())
        finally:
            server.terminate()
            server.wait(timeout=30)
        time.sleep(1.5)  # the servers' backends have ended and counted what they read
        result["rows_read"] = {
            "primary": rows_read(primary, args.db) - read_before["primary"],
            "replica": rows_read(replica, args.db) - read_before["replica"],
        }
        result["setup"] = setup
        result["replay_wait_s"] = waited
        log(f"{setup}: {json.dumps(result)}")
        setups.append(result)
    return {"report_floor_ms": report_floor_ms, "setups": setups}


def rows(measured: dict, scale: float) -> list[dict]:
    """The table's rows (bench/run.py's ``Result`` fields)."""
    from dataclasses import asdict

    from bench.run import Result

    results = []
    for m in measured["setups"]:
        setup = m["setup"]
        results.append(
            Result(
                scenario=f"{SCENARIO}, {setup} ({m['teachers']} teachers, taps)",
                scale=scale,
                p50_ms=m["tap_p50_ms"],
                p95_ms=m["tap_p95_ms"],
                throughput_rps=m["taps_per_s"],
                queries=None,
                floor_p50_ms=m["floor_p50_ms"],
                floor_rps=m["floor_rps"],
                floor="one-query view under the same clients",
                ratio=m["taps_per_s"] / m["floor_rps"],
                ratio_of="throughput",
                requests=m["taps"] + m["teachers"],
                errors=m["errors"],
                note=(
                    f"{m['reporters']} office clients loading the school term report all the while "
                    f"(period {m['period']}'s rolls); rows read during it: primary "
                    f"{m['rows_read']['primary']:,}, replica {m['rows_read']['replica']:,}"
                ),
            )
        )
        results.append(
            Result(
                scenario=f"{REPORT}, {setup}",
                scale=scale,
                p50_ms=m["report_p50_ms"],
                p95_ms=m["report_p95_ms"],
                throughput_rps=m["reports_per_s"],
                queries=None,
                floor_p50_ms=measured["report_floor_ms"],
                floor="SQL run alone",
                ratio=m["report_p50_ms"] / measured["report_floor_ms"],
                requests=m["reports"],
                errors=m["report_errors"],
            )
        )
    return [asdict(r) for r in results]


def measure(
    scale: float,
    *,
    workers: int = 4,
    worker_class: str = "sync",
    threads: int = 1,
    teachers: int = 100,
    reporters: int = 2,
    budget: float = 8.0,
    seed: int = 1,
) -> dict:
    """Start the cluster, build the school on it, run both setups; the run's entry for results.json."""
    db = f"rollbook_bench_replica_{str(scale).replace('.', '_')}"
    with Cluster(database=None) as cluster:
        primary_pg, replica_pg = cluster.server(cluster.primary_port), cluster.server(cluster.replica_port)
        log(f"primary on port {cluster.primary_port}, replica on port {cluster.replica_port} in {cluster.folder}")
        env = {**os.environ, "BENCH_PG": primary_pg}
        load_cmd = [PY, "-m", "bench.load", "--scale", str(scale), "--db", db, "--pg", primary_pg]
        subprocess.run(load_cmd, cwd=ROOT, env=env, check=True)  # noqa: S603
        log(f"the replica replayed the school in {cluster.caught_up():.1f} s more")
        with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as tmp:
            out = tmp.name
        child = [PY, "-m", "bench.replica_rush", "--child", "--db", db, "--replica-pg", replica_pg, "--out", out]
        child += ["--workers", str(workers), "--worker-class", worker_class, "--threads", str(threads)]
        child += ["--teachers", str(teachers), "--reporters", str(reporters), "--budget", str(budget)]
        child += ["--seed", str(seed)]
        subprocess.run(child, cwd=ROOT, env=env, check=True)  # noqa: S603
        measured = json.loads(Path(out).read_text())
        os.unlink(out)
    return {"scale": scale, "db": db, "group": "replica", "results": rows(measured, scale), "measured": measured}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--worker-class", default="sync")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--teachers", type=int, default=100)
    parser.add_argument("--reporters", type=int, default=2, help="office clients loading term reports")
    parser.add_argument("--budget", type=float, default=8.0, help="seconds for the SQL floor (at most)")
    parser.add_argument("--seed", type=int, default=1)
    # Internal: the measuring child, on a running cluster.
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--replica-pg", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    # One key for the servers and the child that makes their sessions (bench/settings.py).
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    if args.child:
        Path(args.out).write_text(json.dumps(run_child(args)))
        return 0
    run = measure(
        args.scale,
        workers=args.workers,
        worker_class=args.worker_class,
        threads=args.threads,
        teachers=args.teachers,
        reporters=args.reporters,
        budget=args.budget,
        seed=args.seed,
    )
    print(json.dumps(run, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
