"""Every migration must be reversible: on a throwaway database, migrate, migrate every app back
to zero, check no table is left, and migrate again. Fails on any irreversible migration.

    python .ci/check_migrations.py            # a temporary SQLite file; and, when DATABASE_URL is
                                              # PostgreSQL, a temporary database on that server
    python .ci/check_migrations.py --url URL  # just that (throwaway!) database

``make check-migrations`` runs it; ``make test`` runs that first.
"""

from __future__ import annotations

import argparse
import os
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent


def check(url: str) -> None:
    """Up, down to zero app by app (the last migrated first), and up again, on ``url``."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "attendance_site.settings")
    # A throwaway database signs and encrypts nothing that lasts: a key of its own, as DEBUG is off.
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.exceptions import IrreversibleError
    from django.db.migrations.executor import MigrationExecutor

    call_command("migrate", interactive=False, verbosity=0)
    executor = MigrationExecutor(connection)
    forward = executor.migration_plan(executor.loader.graph.leaf_nodes(), clean_start=True)
    order: list[str] = []
    for migration, _ in reversed(forward):
        if migration.app_label not in order:
            order.append(migration.app_label)
    from django.apps import apps

    upstream: set[str] = set()  # third-party apps whose own migrations cannot be reversed
    for app_label in order:
        print(f"  {app_label} back to zero")
        try:
            call_command("migrate", app_label, "zero", interactive=False, verbosity=0)
        except IrreversibleError as error:
            if apps.get_app_config(app_label).name.startswith("apps."):
                raise SystemExit(f"{error} (give RunPython a reverse_code, RunSQL a reverse_sql)") from None
            # Not ours to fix (django-tasks-db's 0013 has no reverse): left migrated, tables and all.
            print(f"  {app_label}: its own migrations are not reversible upstream; left as it is")
            upstream.add(app_label)
    kept = {model._meta.db_table for label in upstream for model in apps.get_app_config(label).get_models()}
    left = sorted(set(connection.introspection.table_names()) - {"django_migrations"} - kept)
    if left:
        raise SystemExit(f"tables left after migrating every app to zero: {', '.join(left)}")
    call_command("migrate", interactive=False, verbosity=0)
    print(f"  {len(forward)} migrations of {len(order)} apps: up, down to zero and up again on {connection.vendor}")


def run_child(url: str, label: str) -> None:
    print(f"== reversible migrations on {label}", flush=True)
    # Our own script and a URL we made: each database in its own process (Django sets up once).
    if subprocess.run([sys.executable, __file__, "--url", url], cwd=ROOT).returncode:  # noqa: S603
        raise SystemExit(f"check-migrations failed on {label}")


def on_postgresql(server_url: str) -> None:
    """A scratch database beside the one DATABASE_URL names, dropped afterwards."""
    import dj_database_url
    import psycopg
    from psycopg import sql

    config = dj_database_url.parse(server_url)
    params = {
        "dbname": config["NAME"],
        "user": config.get("USER") or None,
        "password": config.get("PASSWORD") or None,
        "host": config.get("HOST") or None,
        "port": config.get("PORT") or None,
    }
    scratch = f"rollbook_migrations_{secrets.token_hex(4)}"
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(scratch)))
    try:
        run_child(urlsplit(server_url)._replace(path=f"/{scratch}").geturl(), f"PostgreSQL ({scratch})")
    finally:
        with psycopg.connect(**params, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(scratch)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="check this throwaway database only")
    args = parser.parse_args()
    if args.url:
        check(args.url)
        return
    with tempfile.TemporaryDirectory(prefix="rollbook-migrations-") as folder:
        run_child(f"sqlite:///{folder}/check.sqlite3", "SQLite (a temporary file)")
    server_url = os.environ.get("DATABASE_URL", "")
    if server_url.startswith(("postgres://", "postgresql://")):
        on_postgresql(server_url)


if __name__ == "__main__":
    main()
