"""Read hub.yml: the member's login, the image, the buckets (which are read-only) and where the seeds are."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import yaml

HUB_YML = Path(__file__).with_name("hub.yml")
KEYS = {"login", "image", "buckets", "read-only", "seed"}


@dataclasses.dataclass(frozen=True)
class HubConfig:
    """The fake hub's fixed facts, as hub.yml states them."""

    login: str  # the member's GitHub login, as they type it (mixed case)
    image: str
    buckets: tuple[str, ...]
    read_only: tuple[str, ...]  # buckets the hub's service account may read but not write
    seed: Path

    @property
    def member(self) -> str:
        """The hub user name (JUPYTERHUB_USER, the bucket folders): the login as JupyterHub normalizes it.

        JupyterHub's Authenticator.normalize_username lowercases (tests/test_fakehub.py checks
        that JupyterHub agrees, and the running hub creates this very user from the login).
        """
        return self.login.lower()

    @property
    def seed_buckets(self) -> Path:
        """Folder with one subfolder of seed objects per bucket."""
        return self.seed / "buckets"

    @property
    def seed_home(self) -> Path:
        """Folder copied into the sandbox home directory."""
        return self.seed / "home"

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
    read_only = tuple(data["read-only"])
    if not set(read_only) <= set(data["buckets"]):
        strays = sorted(set(read_only) - set(data["buckets"]))
        raise ValueError(f"{path}: read-only buckets {strays} are not in buckets")
    return HubConfig(
        login=data["login"],
        image=data["image"],
        buckets=tuple(data["buckets"]),
        read_only=read_only,
        seed=(path.parent / data["seed"]).resolve(),
    )
