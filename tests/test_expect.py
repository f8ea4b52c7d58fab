"""A page's expect: front matter: read by myst-nb's reader, a strict default, malformed keys refused, build-only."""

from __future__ import annotations

import json

import jupytext
import pytest
from jupytext.config import load_jupytext_config

from booksite import twins
from booksite.book import ROOT
from fakehub import load
from harness import expect
from harness.page import read_page

HUB = load()
USER = HUB.member
FRONT = """\
---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
    format_version: 0.13
kernelspec:
  display_name: Python 3
  language: python
  name: python3
{key}---

# A page

```{{code-cell}} ipython3
print("hello")
```
"""


def page_file(tmp_path, key: str = "", text: str | None = None):
    """book/page.md under tmp_path, with this expect: block in its front matter (or this whole text); its name."""
    (tmp_path / "book").mkdir(exist_ok=True)
    (tmp_path / "book" / "page.md").write_text(FRONT.format(key=key) if text is None else text)
    return tmp_path / "book" / "page.md"


def loaded(tmp_path, key: str = "", text: str | None = None) -> expect.Expectations:
    """The expectations of a page written with page_file."""
    page_file(tmp_path, key, text)
    return expect.load(read_page(tmp_path, "book/page.md"), USER, HUB)


@pytest.mark.parametrize("text", [None, "# Text only\n\nNo code, no front matter.\n"])
def test_without_the_key_a_page_leaves_nothing_in_the_members_folders(tmp_path, text):
    found = loaded(tmp_path, text=text)
    assert found.exist == ()
    assert found.absent == (f"leap-scratch/{USER}/**", f"leap-persistent/{USER}/**")
    assert found.problems({f"leap-persistent/{USER}/kept.txt", "leap-scratch/another-member/x"}) == [
        f"expected no object matching 'leap-persistent/{USER}/**' (book/page.md: expect.absent), "
        f"found ['leap-persistent/{USER}/kept.txt']"]


def test_the_key_replaces_the_default(tmp_path):
    found = loaded(tmp_path, 'expect:\n  exist:\n    - "{PERSISTENT_BUCKET}/kept.txt"\n')
    assert (found.exist, found.absent) == ((f"leap-persistent/{USER}/kept.txt",), ())
    assert found.problems({f"leap-persistent/{USER}/kept.txt"}) == []


@pytest.mark.parametrize(("key", "message"), [
    ("expect:\n", "front matter expect: must be a mapping"),
    ("expect: []\n", "front matter expect: must be a mapping"),
    ("expect: {}\n", "front matter expect: must be a mapping"),
    ('expect:\n  exists: ["{SCRATCH_BUCKET}/x"]\n', r"front matter expect: unknown key\(s\) \['exists'\]"),
    ("expect:\n  absent: []\n", "front matter expect.absent: must be a non-empty list of globs"),
    ('expect:\n  absent: [""]\n', "front matter expect.absent: must be a non-empty list of globs"),
    ('expect:\n  absent: "leap-scratch/{user}/**"\n', "front matter expect.absent: must be a non-empty list"),
    ('expect:\n  exist: ["{HOME}/x"]\n', r"front matter expect.exist: unknown placeholder\(s\) \['HOME'\]"),
])
def test_a_malformed_key_names_the_page_and_the_key(tmp_path, key, message):
    with pytest.raises(expect.ExpectError, match=f"^book/page.md: {message}"):
        loaded(tmp_path, key)


def test_jupyterlab_keeps_the_key_when_it_saves_a_page(tmp_path):
    source = page_file(tmp_path, 'expect:\n  exist: ["{SCRATCH_BUCKET}/x"]\n')
    config = load_jupytext_config(str(ROOT / "book"))  # pyproject.toml's, as JupyterLab finds it
    saved = jupytext.writes(jupytext.read(source), fmt="md:myst", config=config)
    assert jupytext.reads(saved, fmt="md:myst").metadata["expect"] == {"exist": ["{SCRATCH_BUCKET}/x"]}


def test_a_twin_carries_the_kernelspec_and_not_the_key(tmp_path):
    source = page_file(tmp_path, 'expect:\n  exist: ["{SCRATCH_BUCKET}/x"]\n')
    assert list(json.loads(twins.render(source))["metadata"]) == ["kernelspec"]


def test_no_expectations_file_is_left_beside_the_pages():
    """An old-style expect/<page>.yml or scenario <name>.yml would be ignored silently: the key is the one place."""
    assert not (ROOT / "expect").exists()
    assert [p.name for p in (ROOT / "tests" / "scenarios").glob("*.yml")] == ["scenarios.yml"]
