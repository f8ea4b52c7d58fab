"""Measure what building and verifying the book costs; write _build/bench.json and a table.

Run by `nox -s bench` (which installs environment.yml's pins first). Each measure is a function
that returns its figures (a dict); `rows` turns them into the table's lines, and `TARGETS` says
which figures have a target.
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import statistics
import sys
import time
from pathlib import Path

import yaml

from bench import ci, fresh, launch, peers, results, stackitems, ways
from bench.timing import measured
from bench.workspace import ROOT, copy_book, replicated_book
from booksite.book import write_noexec_config

HERE = Path(__file__).parent
BIN = Path(sys.executable).parent
SETTINGS = yaml.safe_load((HERE / "bench.yml").read_text())
REPS = int(os.environ.get("BENCH_REPETITIONS", SETTINGS["repetitions"]))  # fewer for a quick look
GROWTH_REPS = int(os.environ.get("BENCH_REPETITIONS", SETTINGS["growth"]["repetitions"]))
SUITE_REPS = int(os.environ.get("BENCH_REPETITIONS", SETTINGS["suite"]["repetitions"]))
DASK = SETTINGS["dask_page"]
# figure -> (bound, what it is measured on); a figure meets its target when it is at most the bound
TARGETS = {
    "hub_start_s": (6.0, "seconds"),
    "cached_over_noexec": (1.1, "ratio"),
    "harness_over_nbmake": (1.0, "ratio"),
    "harness_over_nbval": (1.0, "ratio"),
    "harness_parallel_over_nbmake": (0.6, "ratio"),
    "build_growth": (0.10, "growth"),
    "harness_growth": (0.10, "growth"),
    "suite_growth": (0.25, "growth"),
    "ways_growth": (0.15, "growth"),  # issue 21: week-later and crowded add at most 15% to `nox -s tests`
}


def run(command: list[str], cwd: Path) -> tuple[float, str]:
    """Run a command to completion; return its wall time and output; fail loudly if it fails."""
    seconds, _, output = measured(command, cwd)
    return seconds, output


def median(samples: list[float], name: str = "") -> float:
    """The median, rounded for the report; says it on stderr as each measure completes."""
    value = round(statistics.median(samples), 3)
    if name:
        runs = ", ".join(f"{sample:.2f}" for sample in samples)
        print(f"bench: {name} = {value} (median of {runs})", file=sys.stderr, flush=True)
    return value


# -- the local hub -----------------------------------------------------------------------------

HUB_TIMINGS = """
import json
from fakehub import FakeHub
hub = FakeHub().start(export=False)
hub.stop()
print(json.dumps(hub.timings))
"""


def hub() -> dict:
    """Start and stop the local hub, each time in a new process: seconds to be up, each service ready, to stop."""
    samples = [json.loads(run([sys.executable, "-c", HUB_TIMINGS], ROOT)[1].splitlines()[-1]) for _ in range(REPS)]
    services = sorted(samples[0]["ready_s"])
    return {
        "hub_start_s": median([s["start_s"] for s in samples], "hub_start_s"),
        "hub_ready_s": {name: median([s["ready_s"][name] for s in samples], f"hub ready {name}") for name in services},
        "hub_stop_s": median([s["stop_s"] for s in samples], "hub_stop_s"),
    }


# -- builds ------------------------------------------------------------------------------------


BUILD = [str(BIN / "jupyter-book"), "build", ".", "--builder", "html", "-n", "-W", "--keep-going"]


def build(root: Path, config: str = "_config.yml", strict: bool = True) -> tuple[float, int]:
    """Build the book at root (warnings as errors when strict); return seconds and how many pages were executed."""
    command = BUILD if strict else [arg for arg in BUILD if arg != "-W"]
    seconds, output = run([*command, "--config", config], root)
    return seconds, len(re.findall(r"Executed notebook in", output))


def executed_seconds(root: Path, page: str) -> float:
    """How long the page took to execute in the last build, from jupyter-cache's record of it."""
    from jupyter_cache import get_cache

    for cache in (root / "_build" / ".jupyter_cache").iterdir():  # one folder per environment key
        for record in get_cache(cache).list_cache_records():
            if Path(record.uri) == root / page:
                return float(record.data["execution_seconds"])
    raise LookupError(f"jupyter-cache has no record of {page}")


def builds() -> dict:
    """Clean, cached, one-page-edit and no-execution builds of a copy of the book; the Dask page's share."""
    root, clean, dask, cached, edited, executed = copy_book(), [], [], [], [], {}
    for _ in range(REPS):
        shutil.rmtree(root / "_build", ignore_errors=True)
        seconds, executed["clean"] = build(root)
        clean.append(seconds)
        dask.append(executed_seconds(root, DASK))
    for _ in range(REPS):
        seconds, executed["cached"] = build(root)
        cached.append(seconds)
    for rep in range(REPS):
        edit_code_cell(root / SETTINGS["edit_page"], f"# bench edit {rep}")
        run([sys.executable, "-m", "booksite.twins", "write"], root)  # as a writer would
        seconds, executed["one_page_edit"] = build(root)
        edited.append(seconds)
    noexec = noexec_builds()
    shutil.rmtree(root)
    figures = {
        "clean_build_s": median(clean, "clean_build_s"),
        "noexec_build_s": median(noexec, "noexec_build_s"),
        "cached_build_s": median(cached, "cached_build_s"),
        "one_page_edit_build_s": median(edited, "one_page_edit_build_s"),
        "pages_executed": executed,
        "dask_build_exec_s": median(dask, "dask_build_exec_s"),
    }
    figures["cached_over_noexec"] = round(figures["cached_build_s"] / figures["noexec_build_s"], 3)
    figures["dask_share_of_clean_build"] = round(figures["dask_build_exec_s"] / figures["clean_build_s"], 3)
    return figures


def noexec_builds() -> list[float]:
    """The same pages with execution off: the floor for any rebuild."""
    root = copy_book()
    noexec = write_noexec_config(root)
    samples = []
    for _ in range(REPS):
        shutil.rmtree(root / "_build", ignore_errors=True)
        # Not strict: with no kernel to name the lexer, a page's `!` lines are lexed as plain Python and warn;
        # the site is always built executed (nox -s docs, with -W).
        samples.append(build(root, noexec, strict=False)[0])
    shutil.rmtree(root)
    return samples


def edit_code_cell(page: Path, line: str) -> None:
    """Add a line at the end of the page's first code cell: new code, so only this page re-runs."""
    text = page.read_text()
    start = text.index("```{code-cell}")
    end = text.index("\n```", start + 1)
    page.write_text(text[:end] + "\n" + line + text[end:])


# -- the harness and its peers -----------------------------------------------------------------

DURATION = re.compile(r"^\s*([\d.]+)s (?:setup|call|teardown)\s+(\S.*?)\s*$", re.MULTILINE)  # ids may hold spaces


def harness_command(parallel: bool) -> list[str]:
    """The per-cell harness over a book, serial or with -n auto, with each item's duration."""
    return [str(BIN / "pytest"), *SETTINGS["harness_args"], "--durations=0", "-n", "auto" if parallel else "0"]


def pytest(root: Path, parallel: bool) -> tuple[float, str]:
    """One run of the per-cell harness over the book at root, serial or with -n auto: seconds, output."""
    return run(harness_command(parallel), root)


def page_seconds(output: str, page: str, from_line: int = 0) -> float:
    """The seconds the items of one page took (those of its cells from a line on), from pytest's --durations."""
    found = 0.0
    for seconds, item in DURATION.findall(output):
        name, _, where = item.partition(":")
        line = re.match(r"\d+", where)
        if name == page and (not from_line or (line and int(line[0]) >= from_line)):
            found += float(seconds)
    return found


def harness() -> dict:
    """The per-cell harness, serial and parallel, on the book; the Dask page's part of the serial run, its Gateway's."""
    root = copy_book()
    serial, dask, gateway, parallel = [], [], [], []
    for _ in range(REPS):
        seconds, output = pytest(root, parallel=False)
        serial.append(seconds)
        dask.append(page_seconds(output, DASK))
        gateway.append(page_seconds(output, DASK, stackitems.gateway_line(SETTINGS["suite"], ROOT)))
        parallel.append(pytest(root, parallel=True)[0])
    shutil.rmtree(root)
    figures = {
        "harness_s": median(serial, "harness_s"),
        "harness_parallel_s": median(parallel, "harness_parallel_s"),
        "dask_harness_s": median(dask, "dask_harness_s"),
        "dask_gateway_harness_s": median(gateway, "dask_gateway_harness_s"),
    }
    figures["dask_share_of_harness"] = round(figures["dask_harness_s"] / figures["harness_s"], 3)
    return figures


def peer_tools() -> dict:
    """The peers, nbmake and nbval, on the same pages, as notebooks, inside a local hub of their own."""
    root = copy_book()
    count = peers.write_notebooks(root)
    samples = {tool: [run(peers.command(root, tool), root)[0] for _ in range(REPS)] for tool in peers.TOOLS}
    shutil.rmtree(root)
    return {"notebooks": count, **{f"{tool}_s": median(times, f"{tool}_s") for tool, times in samples.items()}}


# -- the suite -------------------------------------------------------------------------------


def suite() -> dict:
    """`nox -s tests`'s pytest runs, in its sessions' venvs, with and without the stack's items: how much longer."""
    settings = SETTINGS["suite"]
    sessions = {name: ROOT / session["venv"] for name, session in settings["sessions"].items()}
    missing = [f"{name} ({venv})" for name, venv in sessions.items() if not (venv / "bin" / "pytest").exists()]
    if missing:
        sys.exit(f"bench: suite needs the venvs `nox -s tests` makes; run it first. Missing: {', '.join(missing)}")
    stack = stackitems.stack_items(settings, ROOT, BIN / "pytest")
    deselect = ROOT / "_build" / "bench-suite-deselect.txt"  # pytest reads arguments from @file, one per line
    deselect.parent.mkdir(exist_ok=True)
    deselect.write_text("".join(f"--deselect={nodeid}\n" for nodeid in stack))
    walls = {(name, kind): [] for name in sessions for kind in ("with", "without")}
    items = {name: [] for name in sessions}
    for _ in range(SUITE_REPS):  # alternated, so that a change in the machine's load falls on both
        for name, venv in sessions.items():
            command = [str(venv / "bin" / "pytest"), *settings["sessions"][name]["args"], "--durations=0"]
            env = {"PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}", "VIRTUAL_ENV": str(venv)}  # as nox does
            walls[name, "without"].append(measured([*command, f"@{deselect}"], ROOT, env)[0])
            seconds, _, output = measured(command, ROOT, env)
            walls[name, "with"].append(seconds)
            items[name].append(split_items(output, set(stack)))
    figures = {f"{name} {kind}_s": median(samples, f"suite {name} {kind} the stack's items")
               for (name, kind), samples in walls.items()}
    with_s = sum(figures[f"{name} with_s"] for name in sessions)
    without_s = sum(figures[f"{name} without_s"] for name in sessions)
    return figures | {
        "stack_items": len(stack), "with_s": round(with_s, 1), "without_s": round(without_s, 1),
        "stack_item_s": {name: round(statistics.median(s for s, _ in runs), 1) for name, runs in items.items()},
        "item_s": {name: round(statistics.median(t for _, t in runs), 1) for name, runs in items.items()},
        "suite_growth": round(with_s / without_s - 1, 3),
    }


def split_items(output: str, stack: set[str]) -> tuple[float, float]:
    """From a run's --durations=0 report: the stack items' seconds, and every item's."""
    durations = [(float(seconds), nodeid) for seconds, nodeid in DURATION.findall(output)]
    return sum(s for s, nodeid in durations if nodeid in stack), sum(s for s, _ in durations)


# -- growth ------------------------------------------------------------------------------------


def growth() -> dict:
    """Harness and clean build on books of 0, 1, 5, 20 copies of the sampled pages: seconds per page.

    Per page, net: a run's seconds less those of the book with no code (the hub's start, the
    tools' own), over the pages with code, so that a fixed cost spread over more pages does not
    hide a page's cost growing; CPU seconds likewise, which a loaded machine changes far less
    than wall time. The factors take turns within each repetition, so that the load of the
    shared machine, which drifts over minutes, weighs on every factor alike. Growth compares
    what the pages a book gains last cost with what its first pages cost (`marginal`).
    """
    sample, factors = SETTINGS["growth"]["pages"], SETTINGS["growth"]["factors"]
    books = {factor: replicated_book(sample, factor) for factor in factors}
    runs = {(factor, kind): [] for factor in factors for kind in ("build", "harness")}  # (wall, cpu) per run
    try:
        for _ in range(GROWTH_REPS):
            for factor, (root, _) in books.items():
                shutil.rmtree(root / "_build", ignore_errors=True)
                runs[factor, "build"].append(measured(BUILD, root)[:2])
                runs[factor, "harness"].append(measured(harness_command(parallel=False), root)[:2])
    finally:
        for root, _ in books.values():
            shutil.rmtree(root, ignore_errors=True)
    base, report = min(factors), {}
    for factor in factors:
        row = report[f"{factor}x"] = {"pages": books[factor][1], "code_pages": factor * len(sample)}
        for kind in ("build", "harness"):
            wall = median([w for w, _ in runs[factor, kind]], f"growth {factor}x {kind}")
            row[f"{kind}_s"], row[f"{kind}_s_per_page"] = wall, round(wall / row["pages"], 3)
            if factor != base:
                net = [(w - w0, c - c0) for (w, c), (w0, c0) in zip(runs[factor, kind], runs[base, kind], strict=True)]
                row[f"{kind}_net_s_per_page"] = round(statistics.median(w for w, _ in net) / row["code_pages"], 3)
                row[f"{kind}_net_cpu_s_per_page"] = round(statistics.median(c for _, c in net) / row["code_pages"], 3)
    return {"books": report, "marginal": marginal(runs, factors, len(sample))}


def marginal(runs: dict, factors: list[int], per_copy: int) -> dict:
    """Per page, what the last pages cost (the largest book over the one before) against the first ones.

    The first pages' cost is the second-largest book's over the book with no code, so that both
    sides are differences of books many pages apart: a one-page difference is as large as the
    noise of a single run. Each repetition is compared with itself; the median is reported.
    """
    empty, middle, largest = min(factors), sorted(factors)[-2], max(factors)
    found = {}
    for kind in ("build", "harness"):
        for axis, name in ((0, "s"), (1, "cpu_s")):
            early = [(m[axis] - e[axis]) / ((middle - empty) * per_copy)
                     for m, e in zip(runs[middle, kind], runs[empty, kind], strict=True)]
            late = [(big[axis] - m[axis]) / ((largest - middle) * per_copy)
                    for big, m in zip(runs[largest, kind], runs[middle, kind], strict=True)]
            found[f"{kind}_first_{name}_per_page"] = round(statistics.median(early), 3)
            found[f"{kind}_last_{name}_per_page"] = round(statistics.median(late), 3)
            ratios = [b / a - 1 for a, b in zip(early, late, strict=True)]
            found[f"{kind}_{name}_growth"] = round(statistics.median(ratios), 3)
    found["pages"] = {"first": f"1-{middle * per_copy}", "last": f"{middle * per_copy + 1}-{largest * per_copy}"}
    return found


# -- the report --------------------------------------------------------------------------------


def ratios(result: dict) -> dict:
    """The ratios between measures that the targets are stated in (those whose measures ran)."""
    found = {}
    if "harness" in result and "peers" in result:
        harness, peer = result["harness"], result["peers"]
        found["harness_over_nbmake"] = round(harness["harness_s"] / peer["nbmake_s"], 3)
        found["harness_over_nbval"] = round(harness["harness_s"] / peer["nbval_s"], 3)
        found["harness_parallel_over_nbmake"] = round(harness["harness_parallel_s"] / peer["nbmake_s"], 3)
    if "growth" in result:
        found |= {f"{kind}{cpu}_growth": result["growth"]["marginal"][f"{kind}{cpu}_s_growth"]
                  for kind in ("build", "harness") for cpu in ("", "_cpu")}
    return found


def verdict(name: str, value: float) -> str:
    """The value, with its target and whether it is met."""
    bound, kind = TARGETS[name]
    shown = {"seconds": f"{value:.2f} s", "ratio": f"{value:.2f}", "growth": f"{value:+.0%}"}
    limit = {"seconds": f"{bound} s", "ratio": f"{bound}", "growth": f"+{bound:.0%}"}
    return f"{shown[kind]}  (target <= {limit[kind]}: {'met' if value <= bound else 'MISSED'})"


def hub_rows(hub: dict) -> list[tuple[str, str]]:
    """The local hub's lines."""
    found = [("hub_start_s", verdict("hub_start_s", hub["hub_start_s"]))]
    found += [(f"hub ready: {name}", f"{seconds:.2f} s") for name, seconds in hub["hub_ready_s"].items()]
    return [*found, ("hub_stop_s", f"{hub['hub_stop_s']:.2f} s")]


def build_rows(builds: dict) -> list[tuple[str, str]]:
    """The builds' lines."""
    found = [(key, f"{builds[key]:.2f} s") for key in (
        "clean_build_s", "noexec_build_s", "cached_build_s", "one_page_edit_build_s")]
    found.append(("pages executed (clean / cached / one-page edit)", " / ".join(
        str(builds["pages_executed"][k]) for k in ("clean", "cached", "one_page_edit"))))
    found.append(("cached_over_noexec", verdict("cached_over_noexec", builds["cached_over_noexec"])))
    return [*found, ("dask page in the clean build", f"{builds['dask_build_exec_s']:.2f} s "
                     f"({builds['dask_share_of_clean_build']:.0%} of it)")]


def harness_rows(harness: dict) -> list[tuple[str, str]]:
    """The harness's lines."""
    found = [(key, f"{harness[key]:.2f} s") for key in ("harness_s", "harness_parallel_s")]
    return [*found, ("dask page in harness_s", f"{harness['dask_harness_s']:.2f} s "
                     f"({harness['dask_share_of_harness']:.0%} of it; its Gateway section "
                     f"{harness.get('dask_gateway_harness_s', 0):.2f} s)")]


def peer_rows(peer: dict) -> list[tuple[str, str]]:
    """The peers' lines."""
    return [(f"{tool}_s ({peer['notebooks']} notebooks)", f"{peer[f'{tool}_s']:.2f} s") for tool in peers.TOOLS]


def suite_rows(suite: dict) -> list[tuple[str, str]]:
    """The suite's lines: each session's runs with and without the stack's items, and the growth of their sum."""
    found = []
    for name in suite["item_s"]:
        found.append((f"{name}: with / without the stack's items",
                      f"{suite[f'{name} with_s']:.1f} / {suite[f'{name} without_s']:.1f} s "
                      f"(the stack's items {suite['stack_item_s'][name]:.1f} of {suite['item_s'][name]:.1f} "
                      "item-seconds)"))
    return [*found, (f"suite_growth (both, {suite['with_s']:.1f} over {suite['without_s']:.1f} s; "
                     f"{suite['stack_items']} items deselected)", verdict("suite_growth", suite["suite_growth"]))]


def growth_rows(growth: dict) -> list[tuple[str, str]]:
    """The growth step's lines: seconds per page, net of the book with no code, and the first and last pages' cost."""
    found = []
    for factor, row in growth["books"].items():
        value = f"build {row['build_s_per_page']:.2f} s/page, harness {row['harness_s_per_page']:.2f} s/page"
        if "build_net_s_per_page" in row:
            value += (f"; net build {row['build_net_s_per_page']:.2f} / {row['build_net_cpu_s_per_page']:.2f} cpu, "
                      f"harness {row['harness_net_s_per_page']:.2f} / {row['harness_net_cpu_s_per_page']:.2f} cpu")
        found.append((f"growth {factor} ({row['pages']} pages, {row['code_pages']} with code)", value))
    edge = growth["marginal"]
    for kind in ("build", "harness"):
        found.append((f"growth, {kind}: pages {edge['pages']['first']} / {edge['pages']['last']}",
                      f"{edge[f'{kind}_first_s_per_page']:.2f} / {edge[f'{kind}_last_s_per_page']:.2f} s/page "
                      f"(cpu {edge[f'{kind}_first_cpu_s_per_page']:.2f} / {edge[f'{kind}_last_cpu_s_per_page']:.2f})"))
    return found


def rows(result: dict) -> list[tuple[str, str]]:
    """The table's lines, (name, value), measure by measure, then the ratios and the launches."""
    found = []
    for name, lines in (("hub", hub_rows), ("builds", build_rows), ("harness", harness_rows),
                        ("peers", peer_rows), ("growth", growth_rows), ("suite", suite_rows)):
        found += lines(result[name]) if name in result else []
    found += [(name, verdict(name, value) if name in TARGETS else f"{value:+.0%}")
              for name, value in result["ratios"].items()]
    found += launch.rows(result["launch"]) if "launch" in result else []
    found += fresh.rows(result["fresh"]) if "fresh" in result else []
    found += ways.rows(result["ways"], verdict) if "ways" in result else []
    found += ci.rows(result["ci"]) if "ci" in result else []
    return found + [(name, "FAILED (the message is above)") for name in result.get("failed", {})]


def table(result: dict) -> str:
    """A plain-text table of every figure, ratio and target."""
    lines = rows(result)
    width = max(len(name) for name, _ in lines)
    return "\n".join(f"{name:<{width}}  {value}" for name, value in lines)


MEASURES = {"hub": hub, "builds": builds, "harness": harness, "peers": peer_tools, "growth": growth, "suite": suite,
            "launch": lambda: launch.measure(REPS),  # bench/launch.py: the tutorials launched in the browser
            "ways": lambda: ways.measure(SETTINGS, ROOT, SUITE_REPS, median),
            "ci": lambda: ci.measure(int(os.environ.get("BENCH_REPETITIONS", SETTINGS["ci"]["repetitions"]))),
            "fresh": lambda: fresh.measure(int(os.environ.get("BENCH_REPETITIONS", SETTINGS["fresh"]["repetitions"])))}


def ran(result: dict, failed: dict) -> list[str]:
    """The measures this run tried, in MEASURES' order: those with figures and those that failed."""
    return [name for name in MEASURES if name in result or name in failed]


def main(names: list[str]) -> None:
    """Measure everything (or those named); write _build/bench.json and .txt, add a dated table to bench/results.md."""
    unknown = sorted(set(names) - set(MEASURES))
    if unknown:
        sys.exit(f"bench: no measure named {', '.join(unknown)}; the measures: {', '.join(MEASURES)}")
    started = time.perf_counter()
    result, failed = {}, {}
    for name in [name for name in MEASURES if name in (names or MEASURES)]:
        try:
            result[name] = MEASURES[name]()
        except SystemExit as exc:  # a command failed: report it, and keep the other measures' figures
            failed[name] = str(exc.code)
            print(f"bench: {name} FAILED: {exc.code}", file=sys.stderr, flush=True)
    result["ratios"] = ratios(result)
    result["failed"] = failed
    result["meta"] = {
        "repetitions": REPS, "statistic": "median", "cpus": os.cpu_count(),
        "python": platform.python_version(), "machine": platform.machine(),
        "load": [round(x, 2) for x in os.getloadavg()], "total_s": round(time.perf_counter() - started, 1),
    }
    out = ROOT / "_build"
    out.mkdir(exist_ok=True)
    name = "bench" if not names else "bench-" + "-".join(names)  # a partial run keeps the full report
    (out / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n")
    text = table(result)
    (out / f"{name}.txt").write_text(text + "\n")
    results.record(rows(result), result["meta"], ran(result, failed))
    print(text)
    print(f"wrote {out / name}.json in {result['meta']['total_s']} s (load average at the end: "
          f"{', '.join(map(str, result['meta']['load']))})")
    if failed:
        sys.exit(f"bench: failed: {', '.join(failed)} (the messages are above)")


if __name__ == "__main__":
    main(sys.argv[1:])
