"""Under xdist, a page's items share a worker; everything else spreads out one by one."""

from harness.schedule import PageScheduling


def test_a_page_is_one_scope():
    split = PageScheduling._split_scope
    page = "book/guide/buckets.md"
    assert split(None, f"{page}:42") == split(None, f"{page}:expect") == page
    assert split(None, "book/index.md:expect") != split(None, "book/first-steps.md:26")


def test_other_tests_are_their_own_scope():
    split = PageScheduling._split_scope
    assert split(None, "tests/test_fakehub.py::test_start_and_stop") == "tests/test_fakehub.py::test_start_and_stop"
    assert split(None, "_toc.yml::every-page-listed") == "_toc.yml::every-page-listed"
