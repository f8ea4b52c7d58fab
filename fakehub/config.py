"""Read hub.yml: the member, the image, the buckets and where the seeds are."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import yaml

HUB_YML = Path(__file__).with_name("hub.yml")
KEYS = {"member", "image", "buckets", "seed"}


@dataclasses.dataclass(frozen=True)
class HubConfig:
    """The fake hub's fixed facts, as hub.yml states them."""

    member: str
    image: str
    buckets: tuple[str, ...]
    seed: Path

    @property
    def seed_buckets(self) -> Path:
        """Folder with one subfolder of seed objects per bucket."""
        return self.seed / "buckets"

    @property
    def seed_home(self) -> Path:
        """Folder copied into the sandbox home directory."""
        return self.seed / "home"

    @property
    def seed_repos(self) -> Path:
        """The git repositories made in the member's home (fakehub/home.py)."""
        return self.seed / "repos.yml"

    @property
    def seed_lived_in(self) -> Path:
        """A lived-in member's earlier work: <bucket>/<path> lands at <bucket>/<member>/<path>."""
        return self.seed / "lived-in"

    @property
    def provenance(self) -> Path:
        """Where each seed object comes from: documented on the real hub, or build-only."""
        return self.seed / "provenance.yml"


def load(path: Path = HUB_YML) -> HubConfig:
    """Parse hub.yml, refusing unknown or missing keys."""
    data = yaml.safe_load(path.read_text()) or {}
    if set(data) != KEYS:
        raise ValueError(f"{path}: keys must be exactly {sorted(KEYS)}, got {sorted(data)}")
    return HubConfig(
        member=data["member"],
        image=data["image"],
        buckets=tuple(data["buckets"]),
        seed=(path.parent / data["seed"]).resolve(),
    )
