"""The build-only rule's reading of provenance.yml (harness/reads.py); the planted page proves it end to end."""

from __future__ import annotations

import pytest

from fakehub import load, provenance
from fakehub.seed import seed_objects
from harness.reads import BuildOnly

# The pins session only: the book is built with the pins (nox -s docs) and the server's lock (nox -s browser),
# never with the hub session's libraries.
pytestmark = pytest.mark.once

CONFIG = load()
RULE = BuildOnly(CONFIG)


def test_every_build_only_bucket_seed_is_covered_and_no_documented_one():
    entries = provenance.load(CONFIG)
    for bucket, name in seed_objects(CONFIG):
        [entry] = [e for e in entries if e.covers(f"buckets/{bucket}/{name}")]
        assert (RULE.entry(f"{bucket}/{name}") is not None) == bool(entry.build_only), (bucket, name)


def test_the_members_own_objects_and_unseeded_names_break_nothing():
    assert RULE.violations([f"leap-scratch/{CONFIG.member}/sst-monthly-demo.zarr/.zattrs",
                            "leap-persistent-ro/data-library/sst-monthly-demo.zarr-copy/.zattrs"]) == []


def test_reads_under_one_entry_make_one_sentence_naming_the_first_and_the_rule():
    found = RULE.violations(["leap-persistent-ro/data-library/sst-monthly-demo.zarr/.zmetadata",
                             "leap-persistent-ro/data-library/sst-monthly-demo.zarr/sst/0.0.0",
                             "leap-persistent-ro/data-library/sst-monthly-demo.zarr/.zmetadata",
                             "leap-persistent/yet-another-member/stations.csv"])
    assert len(found) == 2
    assert found[0].startswith("read gs://leap-persistent-ro/data-library/sst-monthly-demo.zarr/.zmetadata "
                               "(and 1 more object(s) under gs://leap-persistent-ro/data-library/sst-monthly-demo.zarr)")
    assert "marks buckets/leap-persistent-ro/data-library/sst-monthly-demo.zarr/ build-only" in found[0]
    assert found[1].startswith("read gs://leap-persistent/yet-another-member/stations.csv, which exists only")
