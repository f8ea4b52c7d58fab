"""Measure what building and verifying the book costs; write _build/bench.json and a table.

Run by `nox -s bench` (which installs environment.yml's pins first).
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import launch
import yaml
from workspace import ROOT, copy_book, replicated_book

HERE = Path(__file__).parent
BIN = Path(sys.executable).parent
SETTINGS = yaml.safe_load((HERE / "bench.yml").read_text())
REPS = int(os.environ.get("BENCH_REPETITIONS", SETTINGS["repetitions"]))  # fewer for a quick look
TARGETS = {
    "cached_over_noexec": 1.1,
    "harness_over_notebook_exec": 1.0,
    "harness_parallel_over_notebook_exec": 0.6,
}


def run(command: list[str], cwd: Path) -> tuple[float, str]:
    """Run a command to completion; return its wall time and output; fail loudly if it fails."""
    env = {k: v for k, v in os.environ.items() if k != "STORAGE_EMULATOR_HOST"}
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"bench: {' '.join(command)} failed in {cwd}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return elapsed, result.stdout + result.stderr


def build(root: Path, config: str = "_config.yml") -> tuple[float, int]:
    """Build the book at root; return seconds and how many pages were executed."""
    command = [str(BIN / "jupyter-book"), "build", ".", "--builder", "html", "-n", "-W", "--keep-going"]
    seconds, output = run([*command, "--config", config], root)
    return seconds, len(re.findall(r"Executed notebook in", output))


def median(samples: list[float], name: str = "") -> float:
    """The median, rounded for the report; says it on stderr as each measure completes."""
    value = round(statistics.median(samples), 3)
    if name:
        runs = ", ".join(f"{sample:.2f}" for sample in samples)
        print(f"bench: {name} = {value} s (median of {runs})", file=sys.stderr, flush=True)
    return value


def builds() -> dict:
    """Clean, cached, one-page-edit and no-execution builds of a copy of the book."""
    root, clean, cached, edited, executed = copy_book(), [], [], [], {}
    for _ in range(REPS):
        shutil.rmtree(root / "_build", ignore_errors=True)
        seconds, executed["clean"] = build(root)
        clean.append(seconds)
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
    return {
        "clean_build_s": median(clean, "clean_build_s"),
        "noexec_build_s": median(noexec, "noexec_build_s"),
        "cached_build_s": median(cached, "cached_build_s"),
        "one_page_edit_build_s": median(edited, "one_page_edit_build_s"),
        "pages_executed": executed,
    }


def noexec_builds() -> list[float]:
    """The same pages with execution off: the floor for any rebuild."""
    root = copy_book()
    config = yaml.safe_load((root / "_config.yml").read_text())
    config["execute"]["execute_notebooks"] = "off"
    (root / "_config_noexec.yml").write_text(yaml.safe_dump(config))
    samples = []
    for _ in range(REPS):
        shutil.rmtree(root / "_build", ignore_errors=True)
        samples.append(build(root, "_config_noexec.yml")[0])
    shutil.rmtree(root)
    return samples


def edit_code_cell(page: Path, line: str) -> None:
    """Add a line at the end of the page's first code cell: new code, so only this page re-runs."""
    text = page.read_text()
    start = text.index("```{code-cell}")
    end = text.index("\n```", start + 1)
    page.write_text(text[:end] + "\n" + line + text[end:])


def pytest(root: Path, parallel: bool) -> float:
    """One run of the per-cell harness over the book at root, serial or with -n auto."""
    command = [str(BIN / "pytest"), *SETTINGS["harness_args"]]
    command += ["-n", "auto" if parallel else "0"]
    return run(command, root)[0]


def harness() -> dict:
    """The per-cell harness (serial and parallel) and the notebook-by-notebook baseline."""
    root = copy_book()
    serial = [pytest(root, parallel=False) for _ in range(REPS)]
    parallel = [pytest(root, parallel=True) for _ in range(REPS)]
    whole = [run([sys.executable, str(HERE / "notebooks.py"), str(root)], root)[0] for _ in range(REPS)]
    shutil.rmtree(root)
    return {
        "harness_s": median(serial, "harness_s"),
        "harness_parallel_s": median(parallel, "harness_parallel_s"),
        "notebook_exec_s": median(whole, "notebook_exec_s"),
    }


def growth() -> dict:
    """Harness and clean build on the sampled pages replicated by each factor, in seconds per page."""
    report = {}
    for factor in SETTINGS["growth"]["factors"]:
        root, pages = replicated_book(SETTINGS["growth"]["pages"], factor)
        builds_s, harness_s = [], []
        for _ in range(REPS):
            shutil.rmtree(root / "_build", ignore_errors=True)
            builds_s.append(build(root)[0])
            harness_s.append(pytest(root, parallel=False))
        shutil.rmtree(root)
        report[f"{factor}x"] = {
            "pages": pages,
            "clean_build_s_per_page": round(median(builds_s, f"growth {factor}x clean build") / pages, 3),
            "harness_s_per_page": round(median(harness_s, f"growth {factor}x harness") / pages, 3),
        }
    return report


def ratios(result: dict) -> dict:
    """The ratios the targets are stated in."""
    return {
        "cached_over_noexec": round(result["cached_build_s"] / result["noexec_build_s"], 3),
        "harness_over_notebook_exec": round(result["harness_s"] / result["notebook_exec_s"], 3),
        "harness_parallel_over_notebook_exec": round(result["harness_parallel_s"] / result["notebook_exec_s"], 3),
    }


def table(result: dict) -> str:
    """A plain-text table of every measure, ratio and target."""
    rows = [(key, f"{result[key]:.2f} s") for key in (
        "clean_build_s", "noexec_build_s", "cached_build_s", "one_page_edit_build_s",
        "harness_s", "harness_parallel_s", "notebook_exec_s")]
    rows.append(("pages executed (clean / cached / one-page edit)", " / ".join(
        str(result["pages_executed"][k]) for k in ("clean", "cached", "one_page_edit"))))
    for name, value in result["ratios"].items():
        verdict = "met" if value <= TARGETS[name] else "MISSED"
        rows.append((name, f"{value:.2f}  (target <= {TARGETS[name]}: {verdict})"))
    for factor, row in result["growth"].items():
        per_page = f"build {row['clean_build_s_per_page']:.2f} s/page, harness {row['harness_s_per_page']:.2f} s/page"
        rows.append((f"growth {factor} ({row['pages']} pages)", per_page))
    rows += launch.rows(result["launch"])
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"{name:<{width}}  {value}" for name, value in rows)


def main() -> None:
    """Measure everything, write _build/bench.json and _build/bench.txt, print the table."""
    started = time.perf_counter()
    result = {**builds(), **harness()}
    result["ratios"] = ratios(result)
    result["growth"] = growth()
    result["launch"] = launch.measure(REPS)  # tests/bench/launch.py: the tutorials launched in the browser
    result["meta"] = {
        "repetitions": REPS, "statistic": "median", "cpus": os.cpu_count(),
        "python": platform.python_version(), "machine": platform.machine(),
        "total_s": round(time.perf_counter() - started, 1),
    }
    out = ROOT / "_build"
    out.mkdir(exist_ok=True)
    (out / "bench.json").write_text(json.dumps(result, indent=2) + "\n")
    text = table(result)
    (out / "bench.txt").write_text(text + "\n")
    print(text)
    print(f"wrote {out / 'bench.json'} in {result['meta']['total_s']} s")


if __name__ == "__main__":
    main()
