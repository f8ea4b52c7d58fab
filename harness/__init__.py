"""The page harness: every code cell of every page in _toc.yml is a pytest item run against the fake hub."""
