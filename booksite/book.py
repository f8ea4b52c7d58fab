"""The book's structure and settings: the one reader of _config.yml and _toc.yml; everything else asks here."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import urlencode

import yaml
from sphinx_external_toc.parsing import parse_toc_yaml

ROOT = Path(__file__).resolve().parents[1]
BOOK_DIR = "book"  # twins mirror the folders under book/ (book/tutorials/x -> notebooks/tutorials/x.ipynb)
PAGE_SUFFIXES = (".md", ".ipynb")
DEFAULT_TIMEOUT = 30  # myst-nb's default when _config.yml sets none
NOEXEC_CONFIG = "_config_noexec.yml"  # beside _config.yml, whose paths are relative


class TocError(ValueError):
    """_toc.yml cannot be read, or names a page the harness cannot run."""


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


def read_config(root: Path = ROOT) -> dict:
    """_config.yml under root as data; empty for a book without one (the harness's one-page test books)."""
    path = root / "_config.yml"
    return (yaml.safe_load(path.read_text()) or {}) if path.is_file() else {}


def toc_docnames(root: Path = ROOT) -> list[str]:
    """Every docname in root/_toc.yml, in reading order, parsed as the build parses it."""
    try:
        return list(parse_toc_yaml(root / "_toc.yml"))
    except Exception as exc:  # the parser raises several kinds; all mean "fix _toc.yml"
        raise TocError(f"_toc.yml: {exc}") from None


def toc_pages(root: Path = ROOT) -> list[str]:
    """Pages listed in root/_toc.yml, in reading order, as paths relative to root ("book/x.md")."""
    pages = []
    for docname in toc_docnames(root):
        candidates = [root / f"{docname}{suffix}" for suffix in PAGE_SUFFIXES]
        found = [path for path in candidates if path.is_file()]
        if not found:
            raise TocError(f"_toc.yml lists {docname!r}, but there is no {docname}.md")
        if found[0].suffix != ".md":
            raise TocError(f"_toc.yml lists {found[0].relative_to(root)}; pages must be MyST Markdown (.md)")
        pages.append(found[0].relative_to(root).as_posix())
    return pages


def pages_on_disk(root: Path = ROOT) -> list[str]:
    """Every page file under root/book/, relative to root."""
    return sorted(
        p.relative_to(root).as_posix()
        for p in (root / BOOK_DIR).rglob("*")
        if p.suffix in PAGE_SUFFIXES and ".ipynb_checkpoints" not in p.parts
    )


def execute_timeout(root: Path = ROOT) -> int:
    """Seconds a cell may run in the build (_config.yml's execute.timeout, or myst-nb's default)."""
    return int((read_config(root).get("execute") or {}).get("timeout") or DEFAULT_TIMEOUT)


def write_noexec_config(root: Path) -> str:
    """Write the book's config with execution off beside _config.yml; its name, for `jupyter-book --config`."""
    config = read_config(root)
    config["execute"]["execute_notebooks"] = "off"
    (root / NOEXEC_CONFIG).write_text(yaml.safe_dump(config))
    return NOEXEC_CONFIG


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
    stamp_packages: tuple[str, ...]
    hub_versions: Path

    @classmethod
    def load(cls, root: Path = ROOT) -> Book:
        """Read _config.yml and _toc.yml under root."""
        config = read_config(root)
        sphinx = config["sphinx"]["config"]
        return cls(
            root=root,
            repository=config["repository"]["url"],
            branch=config["repository"]["branch"],
            hub=config["launch_buttons"]["jupyterhub_url"],
            tutorials=tuple(sphinx["booksite_tutorials"]),
            notebooks=sphinx["booksite_notebooks"],
            pages=tuple(toc_docnames(root)),
            stamp_packages=tuple(sphinx["booksite_stamp_packages"]),
            hub_versions=root / sphinx["booksite_hub_versions"],
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
