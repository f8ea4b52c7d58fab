"""The globs of hub.yml and of the pages' expectations: `*` and `?` within one path segment, `**` across them."""

from __future__ import annotations

import re

PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
WILDCARDS = {"**": ".*", "*": "[^/]*", "?": "[^/]"}


def glob_regex(pattern: str) -> re.Pattern:
    """Compile a glob over "bucket/name" (or a name within a bucket)."""
    parts = re.split(r"(\*\*|\*|\?)", pattern)
    return re.compile("".join(WILDCARDS.get(part, re.escape(part)) for part in parts))


def fill(pattern: str, values: dict[str, str]) -> str:
    """The glob with each {name} replaced by its value; KeyError names the first unknown one."""
    return PLACEHOLDER.sub(lambda match: values[match[1]], pattern)


def write_glob_problem(glob: object, placeholders: tuple[str, ...]) -> str:
    """Why a glob cannot say where in a bucket a member may write ("" when it can)."""
    if not isinstance(glob, str) or not glob:
        return f"{glob!r} is not a glob: a non-empty string, such as '{{user}}/**'"
    if glob.startswith(("/", "gs://")) or "//" in glob:
        return f"{glob!r} must be relative to the bucket, with no empty segment: '{{user}}/**', not '/{{user}}/**'"
    if any("**" in segment and segment != "**" for segment in glob.split("/")):
        return f"{glob!r}: '**' must be a whole segment ('{{user}}/**', not '{{user}}**')"
    unknown = [name for name in PLACEHOLDER.findall(glob) if name not in placeholders]
    if unknown or PLACEHOLDER.sub("", glob).count("{") or PLACEHOLDER.sub("", glob).count("}"):
        return f"{glob!r}: the only placeholder is {{{', '.join(placeholders)}}}, written in braces"
    return ""
