"""The repository's GitHub address, as the member's server's git resolves it: a local copy of the commit under test.

The launch links stay as rendered (https://github.com/<org>/<repo>). Git in the member's server is
told, through its environment (GIT_CONFIG_COUNT/KEY/VALUE), that this address is a bare repository
holding the checkout's HEAD tree on the branch the deploy workflow publishes from
(booksite.published), never the branch the links name: a link naming another branch then fails
as it would on the hub. Uncommitted changes are not part of that commit, so a launch never sees them.

The origin needs no history: it holds one parentless commit with HEAD's tree, packed from the
checkout's objects. CI checks out a depth-1 clone with a detached HEAD (actions/checkout), where
fetching HEAD by name finds no branch and its parents are absent; nbgitpuller only clones the
branch's files, so the history would add nothing but a failure mode (and a fetch in the workflow).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from pathlib import Path

from booksite.book import Book
from booksite.published import published_branch

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


def copy_tree(root: Path, commit: str, bare: Path) -> str:
    """Copy a commit's tree (no commits, no history) from the checkout into a bare repository; the tree's id."""
    tree = git("rev-parse", "--verify", f"{commit}^{{tree}}", cwd=root)
    listing = git("rev-list", "--objects", "--no-object-names", tree, cwd=root)
    pack = subprocess.run(["git", "pack-objects", "--stdout", "--quiet"], cwd=root, input=listing.encode() + b"\n",
                          capture_output=True)
    if pack.returncode:
        raise OriginError(f"git pack-objects failed: {pack.stderr.decode().strip()}")
    unpacked = subprocess.run(["git", "index-pack", "--stdin"], cwd=bare, input=pack.stdout, capture_output=True)
    if unpacked.returncode:
        raise OriginError(f"git index-pack failed: {unpacked.stderr.decode().strip()}")
    return tree


class Origin:
    """A bare repository at folder/<repo>.git holding the checkout's HEAD tree as the published branch."""

    def __init__(self, book: Book, folder: Path):
        self.book = book
        self.path = folder / f"{book.repository.rstrip('/').rsplit('/', 1)[-1]}.git"
        self.branch = published_branch(book.root)
        self.head = ""  # the checkout's commit under test, as reported
        self.tip = ""  # the origin's commit: HEAD's tree, no parents

    def create(self) -> Origin:
        """Make the bare repository: one commit with the tree of the checkout's HEAD, on the published branch."""
        root = self.book.root
        try:
            self.head = git("rev-parse", "--verify", "HEAD^{commit}", cwd=root)
        except OriginError as exc:
            raise OriginError(f"{root} has no commit to launch (launches run the commit under test): {exc}") from None
        git("init", "--quiet", "--bare", str(self.path))
        tree = copy_tree(root, self.head, self.path)
        env = os.environ | {"GIT_DIR": str(self.path), **IDENTITY}
        self.tip = git("commit-tree", tree, "-m", f"the tree of {self.head}", env=env)
        git("update-ref", f"refs/heads/{self.branch}", self.tip, cwd=self.path)
        git("symbolic-ref", "HEAD", f"refs/heads/{self.branch}", cwd=self.path)
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
            git("read-tree", self.tip, env=env)
            if remove:  # mode 0 removes an entry; --force-remove would want a work tree
                git("update-index", "--index-info", env=env, stdin="".join(f"0 {'0' * 40}\t{p}\n" for p in remove))
            for path, text in (edit or {}).items():
                blob = git("hash-object", "-w", "--stdin", env=env, stdin=text)
                git("update-index", "--add", "--cacheinfo", f"100644,{blob},{path}", env=env)
            tree = git("write-tree", env=env)
            return git("commit-tree", tree, "-p", self.tip, "-m", "a variant of the commit under test", env=env)
        finally:
            index.unlink(missing_ok=True)

    @contextlib.contextmanager
    def serving(self, commit: str):
        """Point the published branch at another commit for a while, then back at HEAD's tree."""
        ref = f"refs/heads/{self.branch}"
        git("update-ref", ref, commit, cwd=self.path)
        try:
            yield
        finally:
            git("update-ref", ref, self.tip, cwd=self.path)
