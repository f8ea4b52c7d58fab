"""Put the buckets into their seeded state: seed objects in, everything else out."""

from __future__ import annotations

from pathlib import Path

from . import api
from .config import HubConfig


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else []


def seed_objects(config: HubConfig) -> dict[tuple[str, str], Path]:
    """Map (bucket, object name) to the seed file that holds its bytes."""
    objects = {}
    for bucket in config.buckets:
        root = config.seed_buckets / bucket
        for path in _files(root):
            objects[(bucket, path.relative_to(root).as_posix())] = path
    return objects


def earlier_work(config: HubConfig) -> dict[tuple[str, str], Path]:
    """The lived-in member's own objects: seeds/lived-in/<bucket>/<path> at <bucket>/<member>/<path>."""
    objects = {}
    for bucket in config.buckets:
        root = config.seed_lived_in / bucket
        for path in _files(root):
            objects[(bucket, f"{config.member}/{path.relative_to(root).as_posix()}")] = path
    return objects


def reset(url: str, config: HubConfig, lived_in: bool = False) -> None:
    """Create missing buckets, delete every object, then upload the seeds (and the member's earlier work)."""
    existing = api.bucket_names(url)
    for bucket in config.buckets:
        if bucket not in existing:
            api.create_bucket(url, bucket)
        for item in api.list_objects(url, bucket):
            api.delete(url, bucket, item["name"])
    objects = seed_objects(config) | (earlier_work(config) if lived_in else {})
    for (bucket, name), path in objects.items():
        api.upload(url, bucket, name, path.read_bytes())


def expiring(config: HubConfig, days: int = 7) -> list[str]:
    """The buckets whose lifecycle rule has deleted an object within days of its creation (hub.yml's expires_days)."""
    return [role.name for role in config.roles if 0 < role.expires_days <= days]


def expire_scratch(url: str, config: HubConfig) -> list[str]:
    """Delete the member's objects in each expiring bucket, as its lifecycle rule does within a week; their names."""
    gone = []
    for bucket in expiring(config):
        mine = [item["name"] for item in api.list_objects(url, bucket) if item["name"].startswith(f"{config.member}/")]
        for name in mine:
            api.delete(url, bucket, name)
        gone += [f"{bucket}/{name}" for name in mine]
    return gone
