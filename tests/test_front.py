"""The storage front (fakehub/front.py): GCS's 403 for writes to the read-only bucket, and the log of reads served."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from fakehub import FakeHub, api, front, load

CONFIG = load()
READ_ONLY = CONFIG.read_only[0]
SEEDED = "data-library/sst-monthly-demo.zarr/.zattrs"  # an object the seed puts into the read-only bucket


@pytest.fixture
def hub(local_hub: FakeHub) -> FakeHub:
    """The shared local hub, reseeded before and after."""
    local_hub.reset()
    yield local_hub
    local_hub.reset()


def gcsfs_errors(hub: FakeHub, calls: dict[str, str]) -> dict[str, str]:
    """Run each gcsfs statement in a fresh process with the member's environment: what it raised ("" if nothing)."""
    code = ("import gcsfs, json, sys\nfs = gcsfs.GCSFileSystem()\nout = {}\n"
            "for name, call in json.loads(sys.argv[1]).items():\n"
            "    try:\n        exec(call)\n        out[name] = ''\n"
            "    except Exception as exc:\n        out[name] = f'{type(exc).__name__}: {exc}'\n"
            "print(json.dumps(out))")
    done = subprocess.run([sys.executable, "-c", code, json.dumps(calls)], env=hub.process_environ,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_a_write_to_the_read_only_bucket_gets_gcss_403_and_changes_nothing(hub):
    before = api.snapshot(hub.url, CONFIG.buckets)
    request = urllib.request.Request(f"{hub.front_url}/upload/storage/v1/b/{READ_ONLY}/o?uploadType=media&name=x.txt",
                                     data=b"x", method="POST")
    with pytest.raises(urllib.error.HTTPError) as refused:
        api.OPENER.open(request, timeout=10)
    assert refused.value.code == 403
    error = json.load(refused.value)["error"]
    assert error["code"] == 403 and error["errors"][0]["reason"] == "forbidden"
    assert error["message"].endswith("does not have storage.objects.create access to the Google Cloud Storage object. "
                                     "Permission 'storage.objects.create' denied on resource (or it may not exist).")
    assert api.snapshot(hub.url, CONFIG.buckets) == before


def test_gcsfs_raises_forbidden_for_every_kind_of_write_and_the_bucket_stays_as_seeded(hub):
    before = api.snapshot(hub.url, CONFIG.read_only)
    ro, mine = f"{READ_ONLY}/{SEEDED}", f"leap-scratch/{CONFIG.member}/copy.json"
    raised = gcsfs_errors(hub, {
        "pipe": f"fs.pipe('{READ_ONLY}/mine.txt', b'x')",
        "big": f"fs.open('{READ_ONLY}/big.bin', 'wb', block_size=2**18).write(b'0' * 2**19)",  # a resumable upload
        "rm": f"fs.rm('{ro}')",
        "setxattrs": f"fs.setxattrs('{ro}', note='x')",
        "copy into": f"fs.pipe('{mine}', b'1'); fs.copy('{mine}', '{READ_ONLY}/x')",
        "copy out": f"fs.copy('{ro}', '{mine}'); fs.rm('{mine}')",
    })
    permission = {"pipe": "create", "big": "create", "rm": "delete", "setxattrs": "update", "copy into": "create"}
    for name, kind in permission.items():
        assert raised[name].startswith("OSError: Forbidden: "), (name, raised[name])
        assert f"does not have storage.objects.{kind} access" in raised[name], (name, raised[name])
    assert raised["copy out"] == ""  # reading it is allowed
    assert api.snapshot(hub.url, CONFIG.read_only) == before


def test_a_batch_refuses_its_read_only_parts_and_passes_the_others_on(hub):
    api.upload(hub.url, "leap-scratch", f"{CONFIG.member}/a.txt", b"a")
    code = (f"import gcsfs\nfs = gcsfs.GCSFileSystem()\n"
            f"from fsspec.asyn import sync\n"
            f"out = sync(fs.loop, fs._rm_files, ['leap-scratch/{CONFIG.member}/a.txt', '{READ_ONLY}/{SEEDED}'])\n"
            f"print(repr(out))")
    done = subprocess.run([sys.executable, "-c", code], env=hub.process_environ, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert f"'leap-scratch/{CONFIG.member}/a.txt', OSError(" in done.stdout
    assert "storage.objects.delete" in done.stdout
    names = {o["name"] for o in api.list_objects(hub.url, "leap-scratch")}
    assert f"{CONFIG.member}/a.txt" not in names
    assert SEEDED in {o["name"] for o in api.list_objects(hub.url, READ_ONLY)}


def test_the_front_logs_the_objects_it_served_and_not_listings_or_misses(hub):
    mark, _ = hub.served("end")
    raised = gcsfs_errors(hub, {
        "ls": f"fs.ls('{READ_ONLY}/data-library/sst-monthly-demo.zarr')",
        "missing": f"fs.cat('{READ_ONLY}/no-such-object')",
        "cat": f"fs.cat('{READ_ONLY}/{SEEDED}')",
        "info": "fs.info('leap-persistent/another-member/README.txt')",
    })
    assert raised["missing"].startswith("FileNotFoundError") and not raised["cat"] and not raised["info"]
    following, served = hub.served(mark)
    assert set(served) == {f"{READ_ONLY}/{SEEDED}", "leap-persistent/another-member/README.txt"}
    assert following == mark + len(served) and hub.served("end")[0] == following


@pytest.mark.parametrize(("method", "path", "needed"), [
    ("POST", "/upload/storage/v1/b/leap-persistent-ro/o", "storage.objects.create"),
    ("PUT", "/upload/storage/v1/b/leap-persistent-ro/o", "storage.objects.create"),
    ("PATCH", "/storage/v1/b/leap-persistent-ro/o/a%2Fb", "storage.objects.update"),
    ("DELETE", "/storage/v1/b/leap-persistent-ro/o/a%2Fb", "storage.objects.delete"),
    ("POST", "/storage/v1/b/leap-scratch/o/a/rewriteTo/b/leap-persistent-ro/o/b", "storage.objects.create"),
    ("POST", "/storage/v1/b/leap-scratch/o/a/copyTo/b/leap-persistent-ro/o/b", "storage.objects.create"),
    ("POST", "/storage/v1/b/leap-persistent-ro/o/b/compose", "storage.objects.create"),
    ("DELETE", "/storage/v1/b/leap-persistent-ro", "storage.buckets.delete"),
    ("GET", "/storage/v1/b/leap-persistent-ro/o/a%2Fb", ""),
    ("POST", "/storage/v1/b/leap-persistent-ro/o/a/rewriteTo/b/leap-scratch/o/b", ""),
    ("DELETE", "/storage/v1/b/leap-scratch/o/a", ""),
    ("POST", "/upload/storage/v1/b/leap-scratch/o", ""),
])
def test_which_requests_the_front_refuses(method, path, needed):
    assert front.refused_permission(method, path, frozenset(CONFIG.read_only)) == needed


@pytest.mark.parametrize(("method", "path", "status", "read"), [
    ("GET", "/storage/v1/b/leap-persistent-ro/o/a%2Fb", 200, "leap-persistent-ro/a/b"),
    ("GET", "/download/storage/v1/b/leap-scratch/o/a%2Fb", 200, "leap-scratch/a/b"),
    ("GET", "/storage/v1/b/leap-scratch/o/a%2Fb", 404, ""),
    ("GET", "/storage/v1/b/leap-scratch/o", 200, ""),  # a listing
    ("POST", "/storage/v1/b/leap-persistent-ro/o/a%2Fb/rewriteTo/b/leap-scratch/o/c", 200, "leap-persistent-ro/a/b"),
    ("DELETE", "/storage/v1/b/leap-scratch/o/a", 204, ""),
])
def test_what_counts_as_a_read(method, path, status, read):
    assert front.object_read(method, path, status) == read
