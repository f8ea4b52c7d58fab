"""The buckets' roles are hub.yml's data: the member's variables and the harness's rules follow them."""

from __future__ import annotations

import dataclasses

import nbformat
import pytest
import yaml

from fakehub import config, load, member
from harness import buckets, expect
from harness.page import Page

pytestmark = pytest.mark.once  # the pins session only (pyproject.toml's markers say why)

HUB = load()
DIFF = {"leap-scratch/me/new.txt": "created", "leap-persistent/me/out.zarr/0": "created",
        "leap-persistent-ro/data/x.zarr/0": "changed", "leap-elsewhere/me/y": "created"}


def hub_yml(tmp_path, buckets_entry: dict):
    """A copy of hub.yml whose buckets are these; read back."""
    data = yaml.safe_load(config.HUB_YML.read_text())
    data.update(buckets=buckets_entry, seed=str(HUB.seed))
    path = tmp_path / "hub.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return config.load(path)


def test_the_rules_follow_each_buckets_role():
    assert buckets.violations(DIFF, "me", seeded=set(), hub=HUB) == [
        "changed gs://leap-persistent-ro/data/x.zarr/0: leap-persistent-ro is read-only and must stay unchanged",
        "created gs://leap-elsewhere/me/y: outside the member's folder gs://leap-elsewhere/me/",
    ]


def test_a_role_changed_in_the_data_changes_the_rule():
    roles = tuple(dataclasses.replace(r, writes=config.NOBODY, variables=()) if r.name == "leap-persistent" else r
                  for r in HUB.roles)
    found = buckets.violations(DIFF, "me", seeded=set(), hub=dataclasses.replace(HUB, roles=roles))
    assert "created gs://leap-persistent/me/out.zarr/0: leap-persistent is read-only and must stay unchanged" in found


def test_the_members_variables_come_from_the_roles(tmp_path):
    hub = hub_yml(tmp_path, {"b-one": {"writes": "own-folder", "variables": ["ONE"], "workers": True},
                             "b-two": {"writes": "own-folder", "variables": ["TWO"]}, "b-ro": {"writes": "nobody"}})
    assert hub.buckets == ("b-one", "b-two", "b-ro")
    assert member.bucket_variables(hub) == {"ONE": f"gs://b-one/{hub.member}", "TWO": f"gs://b-two/{hub.member}"}
    assert member.forwarded_to_workers(hub) == {"ONE": f"gs://b-one/{hub.member}"}


@pytest.mark.parametrize("entry", [{"writes": "everyone"}, {"writes": "own-folder", "colour": "red"},
                                   {"writes": "nobody", "variables": ["RO_BUCKET"]}, None])
def test_a_bad_role_is_refused(tmp_path, entry):
    with pytest.raises(ValueError, match="bucket b-bad"):
        hub_yml(tmp_path, {"b-bad": entry})


def test_expectations_name_the_members_folders_by_their_variables():
    key = {"exist": ["{PERSISTENT_BUCKET}/out.zarr/**"], "absent": ["{SCRATCH_BUCKET}/**", "x/{user}/*"]}
    found = expect.load(page_with({"expect": key}), "me", HUB)
    assert found.exist == ("leap-persistent/me/out.zarr/**",)
    assert found.absent == ("leap-scratch/me/**", "x/me/*")
    with pytest.raises(expect.ExpectError, match="unknown placeholder"):
        expect.load(page_with({"expect": {"absent": ["{HOME_BUCKET}/**"]}}), "me", HUB)


def test_the_default_expectations_follow_the_roles():
    roles = tuple(dataclasses.replace(r, writes=config.NOBODY, variables=()) if r.name == "leap-persistent" else r
                  for r in HUB.roles)
    assert expect.load(page_with({}), "me", HUB).absent == ("leap-scratch/me/**", "leap-persistent/me/**")
    assert expect.load(page_with({}), "me", dataclasses.replace(HUB, roles=roles)).absent == ("leap-scratch/me/**",)
    read_only = tuple(dataclasses.replace(r, writes=config.NOBODY, variables=()) for r in HUB.roles)
    assert expect.load(page_with({}), "me", dataclasses.replace(HUB, roles=read_only)).absent == ()


def page_with(metadata: dict) -> Page:
    """A page without cells whose front matter is this metadata."""
    return Page("book/page.md", nbformat.from_dict({"metadata": metadata, "cells": []}), [])
