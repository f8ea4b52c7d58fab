"""The build-only rule: no cell reads an object that exists only in this build, as the storage front saw it."""

from __future__ import annotations

import functools

from fakehub import provenance
from fakehub.config import HubConfig

PROVENANCE = "fakehub/seeds/provenance.yml"


class BuildOnly:
    """The build-only bucket seeds of provenance.yml, and which of them a list of served reads touched."""

    def __init__(self, config: HubConfig):
        self.entries = [e for e in provenance.load(config) if e.build_only and e.bucket_path]

    def entry(self, name: str) -> provenance.Entry | None:
        """The build-only entry that covers an object ("bucket/name"), if any."""
        return next((e for e in self.entries if e.covers(f"buckets/{name}")), None)

    def violations(self, served: list[str]) -> list[str]:
        """One sentence per build-only entry whose objects were read, naming the first object and the rule."""
        touched: dict[provenance.Entry, list[str]] = {}
        for name in dict.fromkeys(served):
            entry = self.entry(name)
            if entry is not None:
                touched.setdefault(entry, []).append(name)
        return [self._sentence(entry, names) for entry, names in touched.items()]

    @staticmethod
    def _sentence(entry: provenance.Entry, names: list[str]) -> str:
        more = f" (and {len(names) - 1} more object(s) under gs://{entry.bucket_path})" if len(names) > 1 else ""
        return (f"read gs://{names[0]}{more}, which exists only in this build: {PROVENANCE} marks "
                f"{entry.prefix} build-only ({entry.build_only}). On the real hub the read fails: make the "
                f"page's own input first (in $SCRATCH_BUCKET), or read a dataset the hub documents")


@functools.cache
def build_only(config: HubConfig) -> BuildOnly:
    """The rule for a hub's configuration, read once per process."""
    return BuildOnly(config)
