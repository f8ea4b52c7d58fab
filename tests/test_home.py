"""The member's lived-in home (fakehub/home.py) and the home rule's parts (harness/home.py)."""

from __future__ import annotations

import ast
import dataclasses
import json
import subprocess
from pathlib import Path

import pytest

from fakehub import api, load
from fakehub import home as member_home
from harness import files, home, ways

pytestmark = pytest.mark.once  # the pins session only (pyproject.toml's markers say why)

ROOT = Path(__file__).parent.parent


@pytest.fixture
def lived_in(tmp_path):
    """A home built from the seeds, and an empty folder to run in."""
    member_home.build(load(), tmp_path / "home")
    (tmp_path / "folder").mkdir()
    return tmp_path / "home", tmp_path / "folder"


def test_the_home_holds_notebooks_data_and_a_repository_with_a_remote(lived_in):
    root, _ = lived_in
    assert len(list(root.rglob("*.ipynb"))) >= 2 and list((root / "data").iterdir())
    repos = member_home.repositories(load())
    assert repos, "seeds/repos.yml names at least one repository"
    where = root / repos[0]["path"]
    origin = subprocess.run(["git", "-C", str(where), "remote", "get-url", "origin"], capture_output=True, text=True)
    assert origin.stdout.strip() == repos[0]["remote"].replace("{login}", load().login)
    status = subprocess.run(["git", "-C", str(where), "status", "--porcelain"], capture_output=True, text=True)
    assert status.returncode == 0 and status.stdout == "", "everything committed"


def test_a_reset_brings_back_the_members_files_and_removes_the_rest(lived_in, tmp_path):
    root, _ = lived_in
    template = tmp_path / "template"
    member_home.build(load(), template)
    member_home.reset(template, root)
    before = files.snapshot(root, tmp_path / "folder")
    (root / "data" / "stations-2024.csv").write_text("gone")
    (root / "left-by-a-page.txt").write_text("x")
    member_home.reset(template, root)
    assert files.snapshot(root, tmp_path / "folder") == before


def test_a_malformed_repository_entry_is_refused(tmp_path):
    config = load()
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "repos.yml").write_text("- path: x\n  remote: y\n")
    with pytest.raises(ValueError, match="each entry needs exactly the keys"):
        member_home.repositories(dataclasses.replace(config, seed=seeds))


def test_the_home_rule_names_each_member_file_deleted_or_changed(lived_in):
    root, folder = lived_in
    protected = files.snapshot(root, folder)
    assert home.broken(protected, root, folder) == []
    (root / "data" / "stations-2024.csv").unlink()
    (root / "scripts" / "climatology.py").write_text("changed")
    (folder / "new.txt").write_text("the page's own")
    assert home.broken(protected, root, folder) == ["deleted ~/data/stations-2024.csv: the member's own file",
                                                    "changed ~/scripts/climatology.py: the member's own file"]


def test_created_roots_are_the_top_new_paths_even_those_deleted_again(lived_in):
    root, folder = lived_in
    before = home.names(root, folder)
    (folder / "analysis" / ".git").mkdir(parents=True)
    (folder / "out.csv").write_text("1")
    (root / "data" / "extra.csv").write_text("1")  # into the member's own folder: the new file is the root
    (root / ".ipython" / "profile_default").mkdir(parents=True)  # the kernel's, not the page's
    seen = before | home.names(root, folder)
    (folder / "out.csv").unlink()
    assert home.created_roots(before, seen | home.names(root, folder)) == {
        "./analysis": "folder", "./out.csv": "file", "~/data/extra.csv": "file"}


def test_planted_paths_hold_the_members_own_content(tmp_path):
    root, folder = tmp_path / "home", tmp_path / "folder"
    root.mkdir()
    folder.mkdir()
    home.plant({"./analysis": "folder", "~/out.csv": "file"}, root, folder)
    assert (folder / "analysis" / home.MEMBER_FILE).read_text().startswith("The member's own ./analysis/mine.txt")
    assert (root / "out.csv").read_text().startswith("The member's own ~/out.csv")


def test_continuing_ways_share_the_scope_of_the_way_they_continue():
    assert ways.scope("[week-later]") == "[lived-in]" and ways.scope("[crowded]") == ways.scope("[again]") == ""
    assert [ways.scope(w.suffix) for w in ways.select("fresh,again,lived-in")] == ["", "", "[lived-in]"]
    assert [w.name for w in ways.select(ways.EVERY)] == ["fresh", "again", "lived-in", "week-later", "crowded"]


def test_the_hub_session_runs_the_versioned_ways_and_the_pins_session_every_way():
    tree = ast.parse((ROOT / "noxfile.py").read_text())
    once = next(ast.literal_eval(node.value) for node in tree.body
                if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "ONCE")
    assert f"--ways={ways.VERSIONED}" in once
    assert not any(arg.startswith("--ways") for arg in load_pins_args())


def load_pins_args() -> list[str]:
    """The pins session's pytest arguments as the bench repeats them (bench.yml mirrors noxfile.py)."""
    import yaml

    bench = yaml.safe_load((ROOT / "bench" / "bench.yml").read_text())
    return bench["suite"]["sessions"]["tests(deps='pins')"]["args"]


def test_a_week_later_only_the_members_expiring_objects_are_gone(local_hub):
    local_hub.reset()
    member = local_hub.config.member
    for name in (f"leap-scratch/{member}/a/b.txt", f"leap-persistent/{member}/kept.txt"):
        bucket, _, key = name.partition("/")
        api.upload(local_hub.url, bucket, key, b"x")
    before = api.snapshot(local_hub.url, local_hub.config.buckets)
    try:
        gone = local_hub.expire_scratch()
        after = api.snapshot(local_hub.url, local_hub.config.buckets)
    finally:
        local_hub.reset()
    assert set(before) - set(after) == set(gone) == {f"leap-scratch/{member}/a/b.txt"}
    assert "leap-scratch/another-member/run-log.txt" in after  # another member's, written this week


def test_the_members_server_opens_in_the_lived_in_home(local_hub):
    settings = json.loads((local_hub.sandbox / "run" / "settings.json").read_text())
    assert settings["home"] == settings["root_dir"] == str(local_hub.sandbox / "home")
    assert settings["server_environ"]["HOME"] == settings["home"]
    assert (local_hub.sandbox / "home" / "enso-index" / ".git").is_dir()
    assert (local_hub.sandbox / "home" / "data" / "stations-2024.csv").is_file()
