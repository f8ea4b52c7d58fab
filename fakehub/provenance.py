"""seeds/provenance.yml: for every seeded object, where the real hub documents it, or that it is build-only."""

from __future__ import annotations

import dataclasses

import yaml

from .config import HubConfig


class ProvenanceError(ValueError):
    """provenance.yml is malformed, or leaves a seed file uncovered."""


@dataclasses.dataclass(frozen=True)
class Entry:
    """One seeded prefix (a path under seeds/; a folder ends with /) and where its objects come from."""

    prefix: str
    build_only: str = ""  # why the objects exist only in this build
    documented_path: str = ""  # gs://bucket/path where the real hub has them
    source: str = ""  # where that path is documented

    def covers(self, relative: str) -> bool:
        """Whether a seed file (its path under seeds/) falls under this entry."""
        return relative == self.prefix or (self.prefix.endswith("/") and relative.startswith(self.prefix))

    @property
    def bucket_path(self) -> str:
        """For a bucket seed, "bucket/path" as pages name it (no gs://, no trailing /); else ""."""
        return self.prefix.removeprefix("buckets/").rstrip("/") if self.prefix.startswith("buckets/") else ""


def _entry(prefix: str, value, shown: str) -> Entry:
    if not isinstance(value, dict) or len(value) != 1 or set(value) - {"build-only", "documented"}:
        raise ProvenanceError(f"{shown}: {prefix!r} needs exactly one of 'build-only' or 'documented'")
    if "build-only" in value:
        if not isinstance(value["build-only"], str) or not value["build-only"].strip():
            raise ProvenanceError(f"{shown}: {prefix!r}: 'build-only' must say what the object stands for")
        return Entry(prefix, build_only=value["build-only"])
    documented = value["documented"]
    if not isinstance(documented, dict) or set(documented) != {"path", "source"}:
        raise ProvenanceError(f"{shown}: {prefix!r}: 'documented' needs exactly 'path' and 'source'")
    entry = Entry(prefix, documented_path=documented["path"], source=documented["source"])
    if not entry.bucket_path or documented["path"].rstrip("/") != f"gs://{entry.bucket_path}":
        raise ProvenanceError(f"{shown}: {prefix!r} is documented at {documented['path']!r}, "
                              "but a documented seed must sit at that very path under buckets/")
    if not str(documented["source"]).startswith("https://"):
        raise ProvenanceError(f"{shown}: {prefix!r}: 'source' must be the https address that documents the path")
    return entry


def load(config: HubConfig) -> list[Entry]:
    """Read and check provenance.yml."""
    path = config.provenance
    shown = f"fakehub/seeds/{path.name}"
    if not path.is_file():
        raise ProvenanceError(f"{shown} is missing: every seed needs a provenance entry")
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ProvenanceError(f"{shown}: must map seed prefixes to their provenance")
    return [_entry(prefix, value, shown) for prefix, value in data.items()]


def seed_files(config: HubConfig) -> list[str]:
    """Every seed file, as its path under seeds/ (provenance.yml itself aside)."""
    root = config.seed
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*")
                  if p.is_file() and p != config.provenance)


def uncovered(config: HubConfig, entries: list[Entry]) -> list[str]:
    """Seed files that fall under no entry."""
    return [name for name in seed_files(config) if not any(e.covers(name) for e in entries)]


def build_only_paths(entries: list[Entry]) -> list[str]:
    """The build-only bucket prefixes, as pages name them: "leap-persistent-ro/data-library/...zarr"."""
    return [e.bucket_path for e in entries if e.build_only and e.bucket_path]


def home_folders(config: HubConfig, entries: list[Entry]) -> list[str]:
    """The build-only home seeds' top-level names, as pages name them: "~/data", "~/notebooks", ..."""
    if not any(e.build_only and e.covers("home/") for e in entries):
        return []
    home = config.seed_home
    return sorted(f"~/{p.name}" for p in home.iterdir()) if home.is_dir() else []
