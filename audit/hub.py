"""The local hub for an audit run outside pytest, started on first use as the harness starts its own."""

from __future__ import annotations

from fakehub import FakeHub
from fakehub import load as load_hub_config
from fakehub.seed import earlier_work, seed_objects


class LocalHub:
    """A callable giving (hub, kernel environment, seeded names, a lived-in member's earlier work), as the harness."""

    def __init__(self):
        self.config = load_hub_config()
        self.hub: FakeHub | None = None

    def __call__(self) -> tuple[FakeHub, dict[str, str], set[str], set[str]]:
        """Start the hub once; the same four things the harness's start_hub gives a page run."""
        if self.hub is None:
            self.hub = FakeHub(self.config).start(export=False)
        return running(self.hub)

    def stop(self) -> None:
        """Stop the hub if it started; safe to call twice."""
        if self.hub is not None:
            self.hub.stop()
            self.hub = None


def running(hub: FakeHub) -> tuple[FakeHub, dict[str, str], set[str], set[str]]:
    """A running hub as a page run wants it: with its kernels' environment, seeded names and earlier work."""
    seeded = {f"{bucket}/{name}" for bucket, name in seed_objects(hub.config)}
    earlier = {f"{bucket}/{name}" for bucket, name in earlier_work(hub.config)}
    return hub, hub.process_environ, seeded, earlier
