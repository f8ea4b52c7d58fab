"""The bench's dated record (bench/results.md): each run's table, newest first, written by the bench itself."""

from __future__ import annotations

import datetime
from pathlib import Path

RESULTS = Path(__file__).with_name("results.md")
KEEP = 10  # runs kept in the record; git keeps the older ones
HEADER = ("# Bench results\n\nWritten by `nox -s bench` (bench/run.py), newest first; never edited by hand.\n"
          "Each run's figures are medians on the machine named; the targets are bench/run.py's.\n")
MARK = "\n## "


def section(rows: list[tuple[str, str]], meta: dict, measures: list[str], when: datetime.datetime) -> str:
    """One run as a dated Markdown section: what ran where, then a row per figure."""
    title = f"## {when:%Y-%m-%d %H:%M} UTC: {', '.join(measures)}"
    about = (f"{meta['cpus']} CPUs, Python {meta['python']}, {meta['repetitions']} repetitions, "
             f"load average at the end {', '.join(map(str, meta['load']))}, {meta['total_s']} s in all")
    lines = [title, "", about, "", "| figure | value |", "| --- | --- |"]
    lines += [f"| {name} | {value.replace('|', '/')} |" for name, value in rows]
    return "\n".join(lines) + "\n"


def record(rows: list[tuple[str, str]], meta: dict, measures: list[str], path: Path = RESULTS,
           when: datetime.datetime | None = None) -> None:
    """Put this run's section first in the record, keeping the KEEP newest."""
    when = when or datetime.datetime.now(datetime.UTC)
    text = path.read_text() if path.is_file() else HEADER
    earlier = [MARK.lstrip("\n") + part for part in text.split(MARK)[1:]]
    kept = [section(rows, meta, measures, when), *earlier][:KEEP]
    path.write_text(HEADER + "\n" + "\n".join(part.rstrip("\n") + "\n" for part in kept))
