"""The benchmark: what building and verifying the book costs (nox -s bench)."""
