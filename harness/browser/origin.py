"""The repository's GitHub address, as the member's server's git resolves it: a local copy of the commit under test.

The launch links stay as rendered (https://github.com/<org>/<repo>). Git in the member's server is
told, through its environment (GIT_CONFIG_COUNT/KEY/VALUE), that this address is a bare repository
made from the checkout's HEAD commit, whose branch named in _config.yml (`repository.branch`) points
at HEAD. Uncommitted changes are not part of that commit, so a launch never sees them.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from pathlib import Path

from booksite.book import Book

# A commit made here needs an author; nobody pushes it anywhere.
IDENTITY = {"GIT_AUTHOR_NAME": "launch test", "GIT_AUTHOR_EMAIL": "launch-test@localhost",
            "GIT_COMMITTER_NAME": "launch test", "GIT_COMMITTER_EMAIL": "launch-test@localhost"}


class OriginError(RuntimeError):
    """The commit under test cannot be read from the checkout."""


def git(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None, stdin: str | None = None) -> str:
    """Run git; its stdout, stripped; OriginError with git's own words when it fails."""
    result = subprocess.run(["git", *args], cwd=cwd, env=env, input=stdin, capture_output=True, text=True)
    if result.returncode:
        raise OriginError(f"git {' '.join(args)} failed: {result.stderr.strip()}")
    return result.stdout.strip()


class Origin:
    """A bare repository at folder/<repo>.git holding the checkout's HEAD as `repository.branch`."""

    def __init__(self, book: Book, folder: Path):
        self.book = book
        self.path = folder / f"{book.repository.rstrip('/').rsplit('/', 1)[-1]}.git"
        self.head = ""

    def create(self) -> Origin:
        """Make the bare repository from the checkout's HEAD commit (and its history)."""
        root = self.book.root
        try:
            self.head = git("rev-parse", "--verify", "HEAD^{commit}", cwd=root)
        except OriginError as exc:
            raise OriginError(f"{root} has no commit to launch (launches run the commit under test): {exc}") from None
        git("init", "--quiet", "--bare", str(self.path))
        git("fetch", "--quiet", str(root), f"{self.head}:refs/heads/{self.book.branch}", cwd=self.path)
        git("symbolic-ref", "HEAD", f"refs/heads/{self.book.branch}", cwd=self.path)
        return self

    def git_environ(self) -> dict[str, str]:
        """Git's configuration for the member's server: the repository's address is this local copy."""
        return {"GIT_CONFIG_COUNT": "1",
                "GIT_CONFIG_KEY_0": f"url.{self.path.as_uri()}.insteadOf",
                "GIT_CONFIG_VALUE_0": self.book.repository}

    def uncommitted(self) -> list[str]:
        """Paths of the checkout that differ from HEAD (or are untracked): not part of the launch."""
        listing = git("status", "--porcelain", "--untracked-files=normal", "--", "book", "notebooks", "_config.yml",
                      "_toc.yml", cwd=self.book.root)
        return [line[3:] for line in listing.splitlines() if line.strip()]

    def commit_with(self, remove: tuple[str, ...] = (), edit: dict[str, str] | None = None) -> str:
        """A commit on top of HEAD with files removed or rewritten, made inside the bare repository."""
        index = self.path / "launch-test.index"
        env = os.environ | {"GIT_DIR": str(self.path), "GIT_INDEX_FILE": str(index), **IDENTITY}
        try:
            git("read-tree", self.head, env=env)
            if remove:  # mode 0 removes an entry; --force-remove would want a work tree
                git("update-index", "--index-info", env=env, stdin="".join(f"0 {'0' * 40}\t{p}\n" for p in remove))
            for path, text in (edit or {}).items():
                blob = git("hash-object", "-w", "--stdin", env=env, stdin=text)
                git("update-index", "--add", "--cacheinfo", f"100644,{blob},{path}", env=env)
            tree = git("write-tree", env=env)
            return git("commit-tree", tree, "-p", self.head, "-m", "a variant of the commit under test", env=env)
        finally:
            index.unlink(missing_ok=True)

    @contextlib.contextmanager
    def serving(self, commit: str):
        """Point `repository.branch` at another commit for a while, then back at HEAD."""
        ref = f"refs/heads/{self.book.branch}"
        git("update-ref", ref, commit, cwd=self.path)
        try:
            yield
        finally:
            git("update-ref", ref, self.head, cwd=self.path)
