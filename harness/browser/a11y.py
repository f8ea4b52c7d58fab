"""Accessibility: axe-core, as pinned through axe-playwright-python, on a page a reader has loaded.

The same way pydata-sphinx-theme checks its own pages: Playwright loads the page, the axe-core
script is injected into it, and `axe.run` reports the violations. Serious and critical ones
fail, unless the browser tests' site.yml excludes them, each exclusion with its reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from .theme import SCHEMES, use_scheme

AXE = Axe()


@dataclass(frozen=True)
class Finding:
    """One element that breaks one axe rule."""

    rule: str
    impact: str
    target: str  # axe's CSS selector of the element
    html: str
    summary: str

    def __str__(self) -> str:
        return f"{self.rule} ({self.impact}) at {self.target}: {self.summary} [{self.html[:120]}]"


@dataclass(frozen=True)
class Exclusion:
    """A violation the check lets pass: a rule, optionally only where the selector contains `target`."""

    rule: str
    reason: str
    target: str = ""

    def covers(self, finding: Finding) -> bool:
        """Whether this exclusion lets a finding pass."""
        return finding.rule == self.rule and self.target in finding.target


def exclusions(config: dict) -> list[Exclusion]:
    """The exclusions of site.yml's `accessibility` section; each must give its reason."""
    found = []
    for entry in config.get("exclude") or []:
        if not str(entry.get("reason", "")).strip():
            raise ValueError(f"site.yml: accessibility exclusion {entry!r} gives no reason")
        unknown = set(entry) - {"rule", "target", "reason"}
        if unknown or "rule" not in entry:
            raise ValueError(f"site.yml: accessibility exclusion {entry!r}: its keys are rule, target, reason")
        found.append(Exclusion(entry["rule"], entry["reason"], entry.get("target", "")))
    return found


def scan(page: Page, impacts: set[str]) -> tuple[str, list[Finding]]:
    """axe-core's version, and every element breaking a rule at one of the given impacts."""
    response = AXE.run(page).response
    findings = [
        Finding(v["id"], v["impact"], " ".join(map(str, node["target"])), node["html"], node.get("failureSummary", ""))
        for v in response["violations"]
        if v["impact"] in impacts
        for node in v["nodes"]
    ]
    return response["testEngine"]["version"], findings


def check(page: Page, impacts: set[str], excluded: list[Exclusion], axe_core: str) -> list[str]:
    """Every finding on a loaded page, in each colour scheme, that no exclusion lets through."""
    problems = []
    for scheme in SCHEMES:
        use_scheme(page, scheme)
        version, findings = scan(page, impacts)
        if version != axe_core:
            raise AssertionError(f"axe-core {version} runs, site.yml expects {axe_core}")
        problems += [f"{scheme}: {f}" for f in findings if not any(e.covers(f) for e in excluded)]
    return problems
