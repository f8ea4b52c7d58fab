"""Read audit/rules.yml: which fences run, why others do not, and which rule a failure breaks."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import yaml

RULES = Path(__file__).with_name("rules.yml")


class RulesError(ValueError):
    """The rules file is missing a key or holds a bad pattern."""


@dataclasses.dataclass(frozen=True)
class NotRun:
    """A reason a fence is not run, and what it applies to: languages, or a pattern on its lines."""

    reason: str
    languages: frozenset[str] = frozenset()
    first_line: re.Pattern | None = None
    any_line: re.Pattern | None = None

    def applies(self, language: str, source: str) -> bool:
        """Whether a fence of this language and source is not run for this reason."""
        lines = source.splitlines() or [""]
        return (language in self.languages
                or bool(self.first_line and self.first_line.search(lines[0]))
                or bool(self.any_line and any(self.any_line.search(line) for line in lines)))


@dataclasses.dataclass(frozen=True)
class FailureRule:
    """A failure's rule: the first whose pattern its text matches; stops: the page's kernel cannot go on."""

    rule: str
    pattern: re.Pattern
    stops: bool = False


@dataclasses.dataclass(frozen=True)
class Rules:
    """The whole rules file, compiled."""

    python: frozenset[str]
    shell: frozenset[str]
    code_directives: frozenset[str]
    marker: str
    not_run: tuple[NotRun, ...]
    failures: tuple[FailureRule, ...]

    def kind(self, language: str) -> str | None:
        """"python", "shell", or None for a language the audit does not run."""
        return "python" if language in self.python else "shell" if language in self.shell else None

    def why_not_run(self, language: str, source: str) -> str | None:
        """The reason a fence does not run, or None when it runs."""
        for rule in self.not_run:
            if rule.applies(language, source):
                return rule.reason
        if self.kind(language) is None:
            return f"a {language} fence, not code the audit runs" if language else "a fence without a language"
        return None

    def classify(self, text: str) -> FailureRule:
        """The rule a failure's text breaks (the last rule matches anything)."""
        return next(rule for rule in self.failures if rule.pattern.search(text))


def _compile(pattern: str | None, where: str, member: str = "") -> re.Pattern | None:
    if pattern is None:
        return None
    try:
        return re.compile(pattern.replace("{member}", re.escape(member)))
    except re.error as exc:
        raise RulesError(f"{where}: bad pattern {pattern!r}: {exc}") from None


def load(member: str, path: Path = RULES) -> Rules:
    """Read and compile the rules; {member} in a failure pattern is the hub's member."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    try:
        reading, failures = data["reading"], data["failures"]
        not_run = tuple(NotRun(entry["reason"], frozenset(entry.get("languages", ())),
                               _compile(entry.get("first_line"), f"{path.name}: not_run"),
                               _compile(entry.get("any_line"), f"{path.name}: not_run"))
                        for entry in reading["not_run"])
        compiled = tuple(FailureRule(entry["rule"], _compile(entry["pattern"], f"{path.name}: failures", member),
                                     bool(entry.get("stops", False)))
                         for entry in failures)
        rules = Rules(frozenset(reading["python"]), frozenset(reading["shell"]),
                      frozenset(reading["code_directives"]), reading["marker"], not_run, compiled)
    except (KeyError, TypeError) as exc:
        raise RulesError(f"{path.name}: missing or malformed entry: {exc}") from None
    if not compiled or compiled[-1].pattern.pattern:
        raise RulesError(f"{path.name}: the last failure rule must have the empty pattern (it names the rest)")
    return rules
