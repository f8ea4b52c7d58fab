"""Shared pytest setup: the page harness (collects _toc.yml) and pytester for its self-tests."""

pytest_plugins = ["harness.plugin", "pytester"]
