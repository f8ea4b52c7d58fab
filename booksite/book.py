"""The book's settings as the site needs them, read from _config.yml and _toc.yml."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import urlencode

import yaml

ROOT = Path(__file__).resolve().parents[1]
BOOK_DIR = "book"  # twins mirror the folders under book/ (book/tutorials/x -> notebooks/tutorials/x.ipynb)


def is_tutorial(docname: str, patterns: list[str]) -> bool:
    """Whether a page is a tutorial: its docname matches a pattern (fnmatch; `*` crosses `/`)."""
    return any(fnmatch.fnmatchcase(docname, pattern) for pattern in patterns)


def twin_path(docname: str, notebooks: str) -> str:
    """The repository path of a tutorial's output-free notebook twin."""
    relative = PurePosixPath(docname)
    if relative.parts[0] == BOOK_DIR:
        relative = relative.relative_to(BOOK_DIR)
    return str(PurePosixPath(notebooks) / relative.with_suffix(".ipynb"))


def launch_url(hub: str, repository: str, branch: str, path: str) -> str:
    """An nbgitpuller link that clones the repository on the hub and opens `path` in JupyterLab."""
    folder = repository.rstrip("/").rsplit("/", 1)[-1].removesuffix(".git")
    query = urlencode({"repo": repository, "branch": branch, "urlpath": f"lab/tree/{folder}/{path}"}, safe="/")
    return f"{hub.rstrip('/')}/hub/user-redirect/git-pull?{query}"


def toc_docnames(toc: dict) -> list[str]:
    """Every docname in a jb-book table of contents, in reading order."""
    found = [toc["root"]]
    for entry in [*toc.get("parts", []), *toc.get("chapters", []), *toc.get("sections", [])]:
        if "file" in entry:
            found.append(entry["file"])
        found.extend(toc_docnames({"root": None, **entry})[1:])
    return found


@dataclass(frozen=True)
class Book:
    """What the site tests need to know about the book."""

    root: Path
    repository: str
    branch: str
    hub: str
    tutorials: tuple[str, ...]
    notebooks: str
    pages: tuple[str, ...]

    @classmethod
    def load(cls, root: Path = ROOT) -> Book:
        """Read _config.yml and _toc.yml under root."""
        config = yaml.safe_load((root / "_config.yml").read_text())
        toc = yaml.safe_load((root / "_toc.yml").read_text())
        sphinx = config["sphinx"]["config"]
        return cls(
            root=root,
            repository=config["repository"]["url"],
            branch=config["repository"]["branch"],
            hub=config["launch_buttons"]["jupyterhub_url"],
            tutorials=tuple(sphinx["booksite_tutorials"]),
            notebooks=sphinx["booksite_notebooks"],
            pages=tuple(toc_docnames(toc)),
        )

    def source(self, docname: str) -> Path:
        """The source file of a page (.md or .ipynb)."""
        for suffix in (".md", ".ipynb"):
            path = self.root / f"{docname}{suffix}"
            if path.exists():
                return path
        raise FileNotFoundError(f"_toc.yml lists {docname!r} but neither {docname}.md nor .ipynb exists")

    def tutorial_pages(self) -> list[str]:
        """The pages in the table of contents that are tutorials."""
        return [page for page in self.pages if is_tutorial(page, list(self.tutorials))]

    def twin(self, docname: str) -> Path:
        """The notebook twin of a tutorial, as a path under the root."""
        return self.root / twin_path(docname, self.notebooks)
