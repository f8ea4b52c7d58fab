"""The guide's bucket rules, checked on the difference between two snapshots of the buckets."""

from __future__ import annotations

from collections.abc import Collection

from fakehub import HubConfig, load
from fakehub.config import USER, Bucket

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
    """Each change that breaks a rule: objects change only where hub.yml's globs let the member write.

    A page may change only what it made: never another member's seeded object, nor the member's earlier work.
    """
    hub = hub or load()
    found = []
    for name, kind in diff.items():
        bucket, _, key = name.partition("/")
        role = hub.role(bucket)
        if role is None:
            found.append(f"{kind} gs://{name}: {bucket} is not a bucket of the hub (fakehub/hub.yml)")
        elif role.read_only:
            found.append(f"{kind} gs://{name}: {bucket} is read-only and must stay unchanged")
        elif name in earlier:
            found.append(f"{kind} gs://{name}: the member's earlier work must stay byte-identical")
        elif name in seeded:
            found.append(f"{kind} gs://{name}: another member's object must stay byte-identical")
        elif not role.allows(key, user):
            found.append(f"{kind} gs://{name}: outside {where(role, user)}{case_hint(role, key, user)}")
    return found


def where(role: Bucket, user: str) -> str:
    """Where in the bucket the member may write, in words: "the member's folder gs://b/user/", other places."""
    places = zip(role.writes, role.places(user), strict=True)
    said = [f"the member's folder gs://{role.name}/{user}/" if glob == f"{{{USER}}}/**"
            else f"gs://{role.name}/{place.removesuffix('**')}" for glob, place in places]
    return " and ".join(said)


def case_hint(role: Bucket, key: str, user: str) -> str:
    """Why a path built from the login as typed (mixed case) lies outside: the hub user name is lower case."""
    typed = [segment for segment in key.split("/") if segment != user and segment.lower() == user]
    if not typed or not role.allows("/".join(user if s in typed else s for s in key.split("/")), user):
        return ""
    return (f": the hub user name (JUPYTERHUB_USER, the folder's name) is the GitHub login in lower case, {user}, "
            f"not {typed[0]}")
