"""Collect what a Markdown/MyST page shows: its code fences in order, with their lines, languages and tags.

markdown-it-py (CommonMark, as MyST's parser) finds the fences. MkDocs nests fences under `!!!`
admonitions and `===` content tabs by indenting them four spaces, which CommonMark reads as an
indented code block; MyST nests them in longer fences of a directive (````{tab-set}). The
contents of both are parsed again, with their line offset, so every fence is found where it is.
"""

from __future__ import annotations

import dataclasses
import re

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token

from .rules import Rules

ATTRIBUTE = re.compile(r"^\{\s*\.([\w-]+)")
OPTION = re.compile(r"^:(?P<key>[\w-]+):\s*(?P<value>.*)$")
COMMENT = re.compile(r"^<!--\s*(?P<body>.*?)\s*-->\s*$", re.S)
PARSER = MarkdownIt("commonmark")


@dataclasses.dataclass(frozen=True)
class Fence:
    """One code fence of a page: where it is, what it holds, and whether and how it runs."""

    line: int  # 1-based line of the opening fence
    code_line: int  # 1-based line of its first line of code
    language: str  # the fence's language, lower case ("" for none)
    source: str  # the code as the page shows it (directive options removed)
    tags: tuple[str, ...] = ()
    kind: str | None = None  # "python" or "shell" when it runs
    not_run: str | None = None  # why it does not run


def collect(text: str, rules: Rules) -> list[Fence]:
    """Every fence of a page, in the order the page shows them."""
    return sorted(_walk(text, 0, rules), key=lambda fence: fence.line)


def _walk(text: str, offset: int, rules: Rules) -> list[Fence]:
    found: list[Fence] = []
    marker: str | None = None  # a skip comment waiting for the next fence
    for token in PARSER.parse(text):
        if token.map is None or token.nesting == -1:
            continue
        start = offset + token.map[0]
        if token.type == "html_block":
            marker = _marker(token.content, rules.marker)
        elif token.type == "code_block":  # an indented block: MkDocs admonitions and content tabs
            found += _walk(token.content, start, rules)
            marker = None
        elif token.type == "fence":
            found += _fence(token, start, rules, marker)
            marker = None
        elif token.type != "html_inline":
            marker = None
    return found


def _marker(html: str, marker: str) -> str | None:
    """The reason in <!-- audit: skip REASON -->, or None when the comment is not a skip marker."""
    match = COMMENT.match(html.strip())
    body = match["body"] if match else ""
    if not body.startswith(marker):
        return None
    return body[len(marker):].strip(" :-") or "the page's author marked it not to run (no reason given)"


def _fence(token: Token, start: int, rules: Rules, marker: str | None) -> list[Fence]:
    attribute = ATTRIBUTE.match(token.info)  # pymdownx's ```{ .python title="x" }
    words = [attribute[1]] if attribute else token.info.split()
    first = words[0].lower() if words else ""
    if first.startswith("{") and first not in rules.code_directives:
        return _walk(token.content, start + 1, rules)  # a directive holding markup: read inside it
    if first in rules.code_directives:
        language = words[1].lower() if len(words) > 1 else "python"
        source, tags, skipped = _options(token.content)
    else:
        language = first.split("{")[0]  # ```python{ title=...} too
        source, tags, skipped = token.content, (), 0
    code_line = start + 2 + skipped
    reason = marker or rules.why_not_run(language, source)
    if "skip-execution" in tags:  # the author's own tag comes first
        reason = "tagged skip-execution: " + (_first_comment(source) or "no reason given")
    kind = None if reason else rules.kind(language)
    return [Fence(start + 1, code_line, language, source, tags, kind, reason)]


def _options(content: str) -> tuple[str, tuple[str, ...], int]:
    """A directive's code without its options (a --- YAML block or :key: lines); its tags; lines removed."""
    lines = content.splitlines(keepends=True)
    options: dict = {}
    skipped = 0
    if lines and lines[0].strip() == "---":
        end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
        if end is not None:
            options = yaml.safe_load("".join(lines[1:end])) or {}
            skipped = end + 1
    else:
        while skipped < len(lines) and OPTION.match(lines[skipped].rstrip("\n")):
            match = OPTION.match(lines[skipped].rstrip("\n"))
            options[match["key"]] = yaml.safe_load(match["value"]) if match["value"] else None
            skipped += 1
    while skipped < len(lines) and not lines[skipped].strip():
        skipped += 1  # MyST drops the blank lines between the options and the code
    tags = options.get("tags") or () if isinstance(options, dict) else ()
    return "".join(lines[skipped:]), tuple(str(tag) for tag in tags), skipped


def _first_comment(source: str) -> str:
    """The text of a cell's first line when it is a # comment."""
    first = source.lstrip().splitlines()[0] if source.strip() else ""
    return first.lstrip("#").strip() if first.startswith("#") else ""
