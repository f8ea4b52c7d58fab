"""Put the buckets into their seeded state: seed objects in, everything else out."""

from __future__ import annotations

from pathlib import Path

from . import api
from .config import HubConfig


def seed_objects(config: HubConfig) -> dict[tuple[str, str], Path]:
    """Map (bucket, object name) to the seed file that holds its bytes."""
    objects = {}
    for bucket in config.buckets:
        root = config.seed_buckets / bucket
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            objects[(bucket, path.relative_to(root).as_posix())] = path
    return objects


def reset(url: str, config: HubConfig) -> None:
    """Create missing buckets, delete every object, then upload the seeds."""
    existing = api.bucket_names(url)
    for bucket in config.buckets:
        if bucket not in existing:
            api.create_bucket(url, bucket)
        for item in api.list_objects(url, bucket):
            api.delete(url, bucket, item["name"])
    for (bucket, name), path in seed_objects(config).items():
        api.upload(url, bucket, name, path.read_bytes())
