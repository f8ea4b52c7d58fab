"""Shared pytest setup: pytester for the harness's self-tests (the harness itself is loaded by pyproject.toml)."""

pytest_plugins = ["pytester"]
