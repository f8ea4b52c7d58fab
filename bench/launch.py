"""The cost of launching: every tutorial from its button in Chromium (`nox -s browser`'s launches), beside the harness.

Both run on a clone of the commit under test, each as one pytest run with its own local hub: the
browser's launch tests (on the site built without executing: the links are the same), and the
per-cell harness on the same pages in the fresh way. Run alone: python -m bench.launch [REPS].
"""

from __future__ import annotations

import re
import shutil
import statistics
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

from bench.timing import measured
from bench.workspace import ROOT
from booksite.book import Book, write_noexec_config
from booksite.chromium import ChromiumMissing, chromium_path

BIN = Path(sys.executable).parent
TARGET = 2.0  # the browser's launches over the harness on the same pages
PAGES = re.compile(r"fresh: \d+ cells of (\d+) pages")


def _clone() -> tuple[Path, list[str]]:
    """A clone of the commit under test with its site built without executing; its tutorial pages."""
    root = Path(tempfile.mkdtemp(prefix="leap-bench-launch-")) / "book"
    measured(["git", "clone", "--quiet", str(ROOT), str(root)], ROOT)
    noexec = write_noexec_config(root)
    measured([str(BIN / "jupyter-book"), "build", ".", "--builder", "html", "--config", noexec], root)
    return root, Book.load(root).tutorial_pages()


def _browser(root: Path, report: Path) -> float:
    """One run of the launch tests over every tutorial; seconds."""
    command = [str(BIN / "pytest"), "tests/browser/test_launch.py", "-k", "test_tutorial_runs_from_its_launch_button",
               "-o", "junit_family=xunit1", f"--junitxml={report}"]
    return measured(command, root, {"BOOKSITE_BROWSER": "1"})[0]


def _harness(root: Path, tutorials: list[str]) -> float:
    """One serial run of the per-cell harness on the tutorial pages, fresh way; seconds."""
    pages = " or ".join(Path(docname).name for docname in tutorials)
    seconds, _, output = measured([str(BIN / "pytest"), "_toc.yml", "--ways=fresh", "-n", "0", "-k", pages], root)
    found = PAGES.search(output)
    if not found or int(found[1]) != len(tutorials):
        sys.exit(f"bench: the harness ran {found[1] if found else 'no'} pages, not the {len(tutorials)} tutorials")
    return seconds


def _per_tutorial(report: Path) -> dict[str, dict[str, float]]:
    """Each launch's times, from the properties the launch tests record."""
    found = {}
    for case in ET.parse(report).iter("testcase"):
        docname = re.search(r"\[(.+)\]$", case.get("name", ""))
        if docname:
            found[docname[1]] = {p.get("name"): float(p.get("value")) for p in case.iter("property")
                                 if p.get("name") in ("open_s", "kernel_s", "run_s", "total_s")}
    return found


def measure(repetitions: int) -> dict:
    """The browser's launches of every tutorial and the harness on the same pages, each the median of runs."""
    try:
        chromium_path()  # the launch tests' own lookup: fail here, clearly, before building a clone
    except ChromiumMissing as exc:
        sys.exit(f"bench: {exc}")
    root, tutorials = _clone()
    browser, harness, launches = [], [], []
    try:
        for rep in range(repetitions):
            report = root / "_build" / f"launch-{rep}.xml"
            browser.append(_browser(root, report))
            launches.append(_per_tutorial(report))
            harness.append(_harness(root, tutorials))
    finally:
        shutil.rmtree(root.parent, ignore_errors=True)
    browser_s, harness_s = statistics.median(browser), statistics.median(harness)
    print(f"bench: launch_browser_s = {browser_s:.2f} s, launch_harness_s = {harness_s:.2f} s "
          f"(runs: {', '.join(f'{b:.1f}/{h:.1f}' for b, h in zip(browser, harness, strict=True))})",
          file=sys.stderr, flush=True)
    return {
        "tutorials": len(tutorials),
        "launch_browser_s": round(browser_s, 3),
        "launch_harness_s": round(harness_s, 3),
        "launch_over_harness": round(browser_s / harness_s, 3),
        "target": TARGET,
        "per_tutorial": {docname: {name: round(statistics.median(run[docname][name] for run in launches), 2)
                                   for name in launches[0][docname]} for docname in launches[0]},
    }


def rows(figures: dict) -> list[tuple[str, str]]:
    """The benchmark table's rows for these figures."""
    ratio = figures["launch_over_harness"]
    verdict = "met" if ratio <= figures["target"] else "MISSED"
    found = [
        (f"launch_browser_s ({figures['tutorials']} tutorials in JupyterLab)", f"{figures['launch_browser_s']:.2f} s"),
        ("launch_harness_s (the same pages, harness, fresh)", f"{figures['launch_harness_s']:.2f} s"),
        ("launch_over_harness", f"{ratio:.2f}  (target <= {figures['target']}: {verdict})"),
    ]
    for docname, times in figures["per_tutorial"].items():
        found.append((f"  launch {docname}", "  ".join(f"{k.removesuffix('_s')} {v:.1f} s" for k, v in times.items())))
    return found


if __name__ == "__main__":
    result = measure(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
    width = max(len(name) for name, _ in rows(result))
    print("\n".join(f"{name:<{width}}  {value}" for name, value in rows(result)))
