"""Throw-away copies of the book to measure on: as it is, or a sample of pages replicated."""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
# A link to another page of the book, [text](path.md) or [text](path.md#anchor).
PAGE_LINK = re.compile(r"\[([^\]]+)\]\((?!https?:)[^)\s]+\.md(?:#[^)\s]*)?\)")
IGNORED = shutil.ignore_patterns("_build", "__pycache__", ".pytest_cache", "*.pyc")


def _new_root(prefix: str) -> Path:
    root = Path(tempfile.mkdtemp(prefix=prefix))
    for name in ["_config.yml", "pyproject.toml"]:
        shutil.copy2(ROOT / name, root / name)
    for folder in ["tests", "harness", "fakehub", "booksite"]:
        shutil.copytree(ROOT / folder, root / folder, ignore=IGNORED)
    return root


def copy_book() -> Path:
    """The book as it is, in a fresh temporary folder (edits there never touch the repository)."""
    root = _new_root("leap-bench-book-")
    shutil.copy2(ROOT / "_toc.yml", root / "_toc.yml")
    for folder in ["book", "notebooks"]:
        shutil.copytree(ROOT / folder, root / folder, ignore=IGNORED)
    return root


def replicated_book(pages: list[str], factor: int) -> tuple[Path, int]:
    """A book of `factor` copies of each page (each with its front matter's expectations); it and its page count.

    Factor 0 gives a book with no code: what a run costs before its first page.
    """
    root = _new_root(f"leap-bench-x{factor}-")
    (root / "book").mkdir()
    (root / "book" / "index.md").write_text(f"# The benchmark's book\n\n{factor} copies of {', '.join(pages)}.\n")
    chapters = []
    for copy in range(factor):
        for page in pages:
            relative = Path(page).relative_to("book").with_suffix("")
            name = relative.with_name(f"{relative.name}-{copy:02d}").as_posix()
            (root / "book" / name).parent.mkdir(parents=True, exist_ok=True)
            text = unlinked(own_prefix((ROOT / page).read_text(), f"copy-{copy:02d}"))
            (root / "book" / f"{name}.md").write_text(text)
            chapters.append({"file": f"book/{name}"})
    if not chapters:  # factor 0, the fixed costs alone: a text page, as a book needs a chapter
        (root / "book" / "text.md").write_text("# Text\n\nNo code here.\n")
        chapters.append({"file": "book/text"})
    toc = {"format": "jb-book", "root": "book/index", "chapters": chapters}
    (root / "_toc.yml").write_text(yaml.safe_dump(toc, sort_keys=False))
    return root, len(chapters) + 1


def own_prefix(text: str, prefix: str) -> str:
    """The page, writing under SCRATCH_BUCKET/prefix: distinct code, so jupyter-cache runs every copy."""
    scratch = 'os.environ["SCRATCH_BUCKET"]'
    if scratch not in text:
        raise ValueError(f"a growth page must take its folder from {scratch}, so each copy gets its own prefix")
    return text.replace(scratch, f'(os.environ["SCRATCH_BUCKET"] + "/{prefix}")')


def unlinked(text: str) -> str:
    """The page with its links to other pages as plain text: the sample book holds only the copies."""
    return PAGE_LINK.sub(r"\1", text)

