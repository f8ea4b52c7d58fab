"""Internal links of the built HTML: every href and src resolves to a file, every #anchor to an id."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

# Where a page points: attributes that hold a URL, by tag.
URL_ATTRIBUTES = {"a": "href", "link": "href", "img": "src", "script": "src", "iframe": "src", "source": "src"}
IGNORED_SCHEMES = {"mailto", "javascript", "data", "tel"}
ASSET_DIRS = {"_static", "_sources", "_images"}  # theme templates and sources there are not pages


class _Scan(HTMLParser):
    """Collects the URLs a page points at and the anchors it offers."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.ids.update(v for k, v in attrs if k == "id" and v)
        if tag == "a" and values.get("name"):
            self.ids.add(values["name"])
        url = values.get(URL_ATTRIBUTES.get(tag, ""))
        if url:
            self.urls.append(url)


def scan(html: str) -> _Scan:
    """The URLs and anchors of an HTML document."""
    parser = _Scan()
    parser.feed(html)
    return parser


def anchors(html: str) -> set[str]:
    """The ids (and a-names) a URL fragment may point at."""
    return scan(html).ids


@dataclass
class Report:
    """Broken internal links, and the external links seen (checked elsewhere, if at all)."""

    broken: list[str] = field(default_factory=list)
    external: set[str] = field(default_factory=set)


@cache
def _anchors_of(path: Path) -> frozenset[str]:
    return frozenset(anchors(path.read_text(errors="replace")))


def resolve(page: Path, url: str, root: Path) -> str | None:
    """Why an internal URL on a page is broken, or None when it resolves inside root."""
    parts = urlsplit(url)
    target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
    if parts.path.startswith("/"):
        target = (root / unquote(parts.path).lstrip("/")).resolve()
    if target.is_dir():
        target = target / "index.html"
    if not target.is_relative_to(root.resolve()):
        return "points outside the site"
    if not target.is_file():
        return "no such file"
    if parts.fragment and target.suffix == ".html" and unquote(parts.fragment) not in _anchors_of(target):
        return f"no anchor #{parts.fragment} in {target.relative_to(root.resolve())}"
    return None


def check_site(root: Path) -> Report:
    """Check every internal URL of every HTML file under root; collect the external ones."""
    report = Report()
    for page in sorted(p for p in root.rglob("*.html") if p.relative_to(root).parts[0] not in ASSET_DIRS):
        for url in scan(page.read_text(errors="replace")).urls:
            scheme = urlsplit(url).scheme
            if scheme in ("http", "https") or url.startswith("//"):
                report.external.add(url)
            elif scheme not in IGNORED_SCHEMES and (why := resolve(page, url, root)):
                report.broken.append(f"{page.relative_to(root)}: {url}: {why}")
    return report
