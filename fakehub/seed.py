"""Put the buckets into their seeded state: seed objects in, everything else out."""

from __future__ import annotations

from pathlib import Path

from . import api
from .config import HubConfig

SCRATCH = "leap-scratch"  # its objects are deleted 7 days after creation on the hub


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


def expire_scratch(url: str, config: HubConfig) -> list[str]:
    """Delete the member's scratch objects, as the 7-day lifecycle rule does; their names."""
    prefix = f"{config.member}/"
    gone = [item["name"] for item in api.list_objects(url, SCRATCH) if item["name"].startswith(prefix)]
    for name in gone:
        api.delete(url, SCRATCH, name)
    return gone
