"""A fake LEAP-Pangeo hub: fake-gcs-server on loopback, seeded buckets, the hub's environment."""

from .config import HubConfig, load
from .errors import HubError
from .hub import FakeHub

__all__ = ["FakeHub", "HubConfig", "HubError", "load"]
