"""Which pages the book has: _toc.yml as the build reads it, and the files under book/."""

from __future__ import annotations

from pathlib import Path

from sphinx_external_toc.parsing import parse_toc_yaml

PAGE_SUFFIXES = (".md", ".ipynb")


class TocError(ValueError):
    """_toc.yml cannot be read, or names a page the harness cannot run."""


def toc_pages(root: Path) -> list[str]:
    """Pages listed in root/_toc.yml, in reading order, as paths relative to root ("book/x.md")."""
    try:
        sitemap = parse_toc_yaml(root / "_toc.yml")
    except Exception as exc:  # the parser raises several kinds; all mean "fix _toc.yml"
        raise TocError(f"_toc.yml: {exc}") from None
    pages = []
    for docname in sitemap:
        candidates = [root / f"{docname}{suffix}" for suffix in PAGE_SUFFIXES]
        found = [path for path in candidates if path.is_file()]
        if not found:
            raise TocError(f"_toc.yml lists {docname!r}, but there is no {docname}.md")
        if found[0].suffix != ".md":
            raise TocError(f"_toc.yml lists {found[0].relative_to(root)}; pages must be MyST Markdown (.md)")
        pages.append(found[0].relative_to(root).as_posix())
    return pages


def pages_on_disk(root: Path) -> list[str]:
    """Every page file under root/book/, relative to root."""
    book = root / "book"
    return sorted(
        p.relative_to(root).as_posix()
        for p in book.rglob("*")
        if p.suffix in PAGE_SUFFIXES and ".ipynb_checkpoints" not in p.parts
    )
