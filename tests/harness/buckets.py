"""The guide's bucket rules, checked on the difference between two snapshots of the buckets."""

from __future__ import annotations

Snapshot = dict[str, tuple[int, str]]  # "bucket/name" -> (size, checksum)

READ_ONLY = "leap-persistent-ro"


def changes(before: Snapshot, after: Snapshot) -> dict[str, str]:
    """Each object that differs, "bucket/name" -> "created" | "changed" | "deleted"."""
    found = {}
    for name in before.keys() | after.keys():
        if name not in before:
            found[name] = "created"
        elif name not in after:
            found[name] = "deleted"
        elif before[name] != after[name]:
            found[name] = "changed"
    return dict(sorted(found.items()))


def violations(diff: dict[str, str], user: str, seeded: Snapshot) -> list[str]:
    """Each change that breaks a rule: only the member's folders change; read-only and others' data stay."""
    found = []
    for name, kind in diff.items():
        bucket, _, key = name.partition("/")
        owner = key.split("/", 1)[0]
        if bucket == READ_ONLY:
            found.append(f"{kind} gs://{name}: {READ_ONLY} is read-only and must stay unchanged")
        elif owner == user and "/" in key:
            continue
        elif name in seeded:
            found.append(f"{kind} gs://{name}: another member's object must stay byte-identical")
        else:
            found.append(f"{kind} gs://{name}: outside the member's folder gs://{bucket}/{user}/")
    return found
