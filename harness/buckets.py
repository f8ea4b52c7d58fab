"""The guide's bucket rules, checked on the difference between two snapshots of the buckets."""

from __future__ import annotations

from collections.abc import Collection

from fakehub import HubConfig, load

Snapshot = dict[str, tuple[int, str]]  # "bucket/name" -> (size, checksum)


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


def differences(first: Snapshot, second: Snapshot, gone: Collection[str] = ()) -> list[str]:
    """How the buckets after a second run differ from after the first, one sentence per object.

    gone: objects deleted between the runs that were never the page's (a week later, the member's expired earlier
    work); the first run's copies of them are not compared.
    """
    first = {name: value for name, value in first.items() if name not in gone}
    said = {"created": "the second run left {}, the first did not",
            "deleted": "the first run left {}, the second did not",
            "changed": "the second run left different bytes in {}"}
    return [said[kind].format(f"gs://{name}") for name, kind in changes(first, second).items()]


def violations(diff: dict[str, str], user: str, seeded: Collection[str], earlier: Collection[str] = (),
               hub: HubConfig | None = None) -> list[str]:
    """Each change that breaks a rule: only the member's folders change, and not the member's earlier work.

    The buckets' roles (read-only, or written in the member's own folder) are hub.yml's.
    """
    hub = hub or load()
    found = []
    for name, kind in diff.items():
        bucket, _, key = name.partition("/")
        owner, role = key.split("/", 1)[0], hub.role(bucket)
        if role is not None and role.read_only:
            found.append(f"{kind} gs://{name}: {bucket} is read-only and must stay unchanged")
        elif name in earlier:
            found.append(f"{kind} gs://{name}: the member's earlier work must stay byte-identical")
        elif role is not None and owner == user and "/" in key:
            continue
        elif name in seeded:
            found.append(f"{kind} gs://{name}: another member's object must stay byte-identical")
        elif owner != user and owner.lower() == user:
            found.append(f"{kind} gs://{name}: outside the member's folder gs://{bucket}/{user}/: the hub user name "
                         f"(JUPYTERHUB_USER, the folder's name) is the GitHub login in lower case, {user}, not {owner}")
        else:
            found.append(f"{kind} gs://{name}: outside the member's folder gs://{bucket}/{user}/")
    return found
