"""Read hub.yml: the member's login, the image, the real hub's image, the buckets and their roles, the seeds."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import yaml

from . import globs

HUB_YML = Path(__file__).with_name("hub.yml")
# Another definition of the hub: a self-test adds a bucket rule as data only, in a variant of hub.yml.
HUB_YML_VARIABLE = "FAKEHUB_HUB_YML"
KEYS = {"login", "image", "hub_image", "buckets", "seed"}
RUNNING_KEYS = {"reference", "read", "source"}
BUCKET_KEYS = {"writes", "variables", "workers", "expires_days"}
USER = "user"  # the one placeholder of a bucket's write globs: the hub user name
PROBE = "probe-member"  # a hub user name, to ask whether a bucket's globs cover every member's folder


@dataclasses.dataclass(frozen=True)
class Bucket:
    """One bucket's role: who writes where, and the variables that point a member's code at their folder."""

    name: str
    writes: tuple[str, ...]  # globs within the bucket where a member may write, {user} for the member; () read-only
    variables: tuple[str, ...] = ()  # each set to gs://<name>/<member>
    workers: bool = False  # the hub passes the variables on to Dask Gateway's workers
    expires_days: int = 0  # a lifecycle rule deletes each object this many days after its creation; 0: kept

    @property
    def read_only(self) -> bool:
        """Whether nothing may change the bucket's objects."""
        return not self.writes

    def places(self, user: str) -> tuple[str, ...]:
        """The write globs for this member, within the bucket."""
        return tuple(globs.fill(glob, {USER: user}) for glob in self.writes)

    def allows(self, name: str, user: str) -> bool:
        """Whether the member may write the object of this name (within the bucket)."""
        return any(globs.glob_regex(place).fullmatch(name) for place in self.places(user))


@dataclasses.dataclass(frozen=True)
class RunningImage:
    """The image the real hub runs, as its configuration named it when read."""

    reference: str  # e.g. pangeo/pangeo-notebook:2026.06.04
    read: str  # when the configuration was read, e.g. 2026-08
    source: str  # the configuration file where a reader finds the current value


@dataclasses.dataclass(frozen=True)
class HubConfig:
    """The fake hub's fixed facts, as hub.yml states them."""

    login: str  # the member's GitHub login, as they type it (mixed case)
    image: str  # JUPYTER_IMAGE_SPEC of the fake hub: the image whose library versions the suite verifies
    hub_image: RunningImage
    buckets: tuple[str, ...]
    seed: Path
    roles: tuple[Bucket, ...] = ()  # one per bucket, as hub.yml gives them

    def role(self, bucket: str) -> Bucket | None:
        """The role of a bucket of the hub; None for any other bucket."""
        return next((role for role in self.roles if role.name == bucket), None)

    @property
    def read_only(self) -> tuple[str, ...]:
        """The buckets the servers' service account may read but not write (HTTP 403)."""
        return tuple(role.name for role in self.roles if role.read_only)

    @property
    def member(self) -> str:
        """The hub user name (JUPYTERHUB_USER, the bucket folders): the login as JupyterHub normalizes it.

        JupyterHub's Authenticator.normalize_username lowercases (the hub's own tests check
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
    def seed_folder(self) -> Path:
        """What a member keeps in the folder where they open a notebook: the crowded way puts it there."""
        return self.seed / "folder"

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


def load(path: Path | None = None) -> HubConfig:
    """Parse hub.yml (or the one FAKEHUB_HUB_YML names), refusing unknown or missing keys."""
    path = path or Path(os.environ.get(HUB_YML_VARIABLE) or HUB_YML)
    data = yaml.safe_load(path.read_text()) or {}
    if set(data) != KEYS:
        raise ValueError(f"{path}: keys must be exactly {sorted(KEYS)}, got {sorted(data)}")
    roles = tuple(_bucket(path, name, entry) for name, entry in (data["buckets"] or {}).items())
    return HubConfig(
        login=data["login"],
        image=data["image"],
        hub_image=running_image(path, data["hub_image"]),
        buckets=tuple(role.name for role in roles),
        seed=(path.parent / data["seed"]).resolve(),
        roles=roles,
    )


def running_image(path: Path, data: object) -> RunningImage:
    """hub.yml's `hub_image` mapping, refusing unknown or missing keys."""
    if not isinstance(data, dict) or set(data) != RUNNING_KEYS:
        raise ValueError(f"{path}: hub_image must have exactly the keys {sorted(RUNNING_KEYS)}, got {data!r}")
    return RunningImage(**{key: str(value) for key, value in data.items()})


def _bucket(path: Path, name: str, entry: dict) -> Bucket:
    """One bucket's entry of hub.yml, refusing unknown keys, bad globs and variables that point where none may write."""
    entry = entry or {}
    writes = entry.get("writes")
    if not set(entry) <= BUCKET_KEYS or not isinstance(writes, list):
        raise ValueError(f"{path}: bucket {name}: keys are {sorted(BUCKET_KEYS)}, and writes is a list of globs"
                         f" (['{{{USER}}}/**']: each member's folder; []: read-only); got {entry}")
    problems = [problem for glob in writes if (problem := globs.write_glob_problem(glob, (USER,)))]
    if problems:
        raise ValueError(f"{path}: bucket {name}: writes: {'; '.join(problems)}")
    role = Bucket(name, tuple(writes), tuple(entry.get("variables") or ()), bool(entry.get("workers")),
                  int(entry.get("expires_days") or 0))
    if role.variables and not role.allows(f"{PROBE}/object", PROBE):
        where = "it is read-only" if role.read_only else f"writes {list(role.writes)} does not cover it"
        raise ValueError(f"{path}: bucket {name}: {', '.join(role.variables)} point(s) a member at their folder "
                         f"gs://{name}/{{{USER}}}/, but {where}")
    return role
