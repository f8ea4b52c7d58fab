"""Shared pytest setup for the harness and the fake hub's own tests."""
