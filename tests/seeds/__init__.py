"""The vendor API pages the dialects were specified from (kept here so that the repository
tests itself); golden tests read their example bodies from here."""

from pathlib import Path

SEEDS = Path(__file__).resolve().parent


def seed_path(prefix: str) -> Path:
    """The seed file whose name starts with ``prefix`` (e.g. "002")."""
    return next(SEEDS.glob(f"{prefix}_*.txt"))
