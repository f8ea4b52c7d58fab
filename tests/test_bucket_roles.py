"""The buckets' roles are hub.yml's data: the member's variables and the harness's rules follow them."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import nbformat
import pytest
import yaml

from fakehub import config, load, member
from fakehub.globs import glob_regex
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
        "created gs://leap-elsewhere/me/y: leap-elsewhere is not a bucket of the hub (fakehub/hub.yml)",
    ]


def test_a_role_changed_in_the_data_changes_the_rule():
    roles = tuple(dataclasses.replace(r, writes=(), variables=()) if r.name == "leap-persistent" else r
                  for r in HUB.roles)
    found = buckets.violations(DIFF, "me", seeded=set(), hub=dataclasses.replace(HUB, roles=roles))
    assert "created gs://leap-persistent/me/out.zarr/0: leap-persistent is read-only and must stay unchanged" in found


def test_the_members_variables_come_from_the_roles(tmp_path):
    hub = hub_yml(tmp_path, {"b-one": {"writes": ["{user}/**"], "variables": ["ONE"], "workers": True},
                             "b-two": {"writes": ["{user}/**"], "variables": ["TWO"]}, "b-ro": {"writes": []}})
    assert hub.buckets == ("b-one", "b-two", "b-ro")
    assert member.bucket_variables(hub) == {"ONE": f"gs://b-one/{hub.member}", "TWO": f"gs://b-two/{hub.member}"}
    assert member.forwarded_to_workers(hub) == {"ONE": f"gs://b-one/{hub.member}"}


# A bad bucket entry of hub.yml, and what the error says of it (after the file and the bucket).
BAD_ROLES = yaml.safe_load("""
- [{writes: own-folder}, writes is a list of globs]
- [{writes: ['{user}/**'], colour: red}, keys are]
- [null, writes is a list of globs]
- [{writes: [], variables: [RO]}, 'RO point(s) a member at their folder gs://b-bad/{user}/, but it is read-only']
- [{writes: ['shared/**'], variables: [ONE]}, "but writes ['shared/**'] does not cover it"]
- [{writes: ['/{user}/**']}, must be relative to the bucket]
- [{writes: ['gs://b-bad/{user}/**']}, must be relative to the bucket]
- [{writes: ['{user}//x']}, no empty segment]
- [{writes: ['{user}**']}, "'**' must be a whole segment"]
- [{writes: ['{usr}/**']}, 'the only placeholder is {user}']
- [{writes: ['{user/**']}, 'the only placeholder is {user}']
- [{writes: ['']}, is not a glob]
- [{writes: [7]}, is not a glob]
""")


@pytest.mark.parametrize(("entry", "message"), BAD_ROLES)
def test_a_bad_role_is_refused_naming_hub_yml_and_the_bucket(tmp_path, entry, message):
    where = re.escape(f"{tmp_path / 'hub.yml'}: bucket b-bad: ")
    with pytest.raises(ValueError, match=f"^{where}.*{re.escape(message)}"):
        hub_yml(tmp_path, {"b-bad": entry})


def test_expectations_name_the_members_folders_by_their_variables():
    key = {"exist": ["{PERSISTENT_BUCKET}/out.zarr/**"], "absent": ["{SCRATCH_BUCKET}/**", "x/{user}/*"]}
    found = expect.load(page_with({"expect": key}), "me", HUB)
    assert found.exist == ("leap-persistent/me/out.zarr/**",)
    assert found.absent == ("leap-scratch/me/**", "x/me/*")
    with pytest.raises(expect.ExpectError, match="unknown placeholder"):
        expect.load(page_with({"expect": {"absent": ["{HOME_BUCKET}/**"]}}), "me", HUB)


def test_a_rule_added_as_data_lets_the_member_write_there_and_nowhere_else(tmp_path):
    hub = hub_yml(tmp_path, {"b-shared": {"writes": ["{user}/**", "shared/**"]},
                             "b-out": {"writes": ["{user}/outputs/**"]}})
    diff = {"b-shared/me/x": "created", "b-shared/shared/me.txt": "created", "b-shared/shared/theirs.txt": "deleted",
            "b-shared/public/x": "created", "b-out/me/outputs/r.zarr/0": "created", "b-out/me/notes.txt": "created",
            "b-out/Me/outputs/r": "created"}
    assert sorted(buckets.violations(diff, "me", seeded={"b-shared/shared/theirs.txt"}, hub=hub)) == [
        "created gs://b-out/Me/outputs/r: outside gs://b-out/me/outputs/: the hub user name (JUPYTERHUB_USER, "
        "the folder's name) is the GitHub login in lower case, me, not Me",
        "created gs://b-out/me/notes.txt: outside gs://b-out/me/outputs/",
        "created gs://b-shared/public/x: outside the member's folder gs://b-shared/me/ and gs://b-shared/shared/",
        "deleted gs://b-shared/shared/theirs.txt: another member's object must stay byte-identical",
    ]


CASES = yaml.safe_load((Path(__file__).with_name("bucket-rules.yml")).read_text())


def test_each_case_of_bucket_rules_yml_meets_its_rule():
    user = HUB.member
    objects = {case.format(user=user): None for case in CASES["allowed"]}
    objects |= {case.format(user=user): message.format(user=user) for case, message in CASES["refused"].items()}
    found = buckets.violations(dict.fromkeys(sorted(objects), "created"), user, seeded=set(), hub=HUB)
    assert found == [f"created gs://{name}: {message}" for name, message in sorted(objects.items()) if message]


def test_every_rule_of_hub_yml_has_its_cases():
    """A new bucket or write glob in hub.yml needs its cases in bucket-rules.yml."""
    allowed = [case.format(user=HUB.member).split("/", 1) for case in CASES["allowed"]]
    refused = {case.split("/", 1)[0] for case in CASES["refused"]}
    for role in HUB.roles:
        assert role.name in refused, f"bucket-rules.yml: no refused case for {role.name}"
        for glob, place in zip(role.writes, role.places(HUB.member), strict=True):
            assert any(bucket == role.name and glob_regex(place).fullmatch(key) for bucket, key in allowed), \
                f"bucket-rules.yml: no allowed case for {role.name}'s {glob}"


def test_the_default_expectations_follow_the_roles():
    roles = tuple(dataclasses.replace(r, writes=(), variables=()) if r.name == "leap-persistent" else r
                  for r in HUB.roles)
    assert expect.load(page_with({}), "me", HUB).absent == ("leap-scratch/me/**", "leap-persistent/me/**")
    assert expect.load(page_with({}), "me", dataclasses.replace(HUB, roles=roles)).absent == ("leap-scratch/me/**",)
    read_only = tuple(dataclasses.replace(r, writes=(), variables=()) for r in HUB.roles)
    assert expect.load(page_with({}), "me", dataclasses.replace(HUB, roles=read_only)).absent == ()


def page_with(metadata: dict) -> Page:
    """A page without cells whose front matter is this metadata."""
    return Page("book/page.md", nbformat.from_dict({"metadata": metadata, "cells": []}), [])
