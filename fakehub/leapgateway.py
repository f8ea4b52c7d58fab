"""LEAP's Dask Gateway cluster options and their handler (gateway.yml), with local worker sizes."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import yaml
from dask_gateway_server.options import Integer, Mapping, Options, Select, String

GATEWAY_YML = Path(__file__).with_name("gateway.yml")
KEYS = {"instance_type", "worker_resource_allocation", "untagged_image", "idle_timeout_minutes"}


@dataclasses.dataclass(frozen=True)
class LeapOptions:
    """gateway.yml: the choices a member sees, and what each means on this machine."""

    instance_type: str
    sizes: dict[str, dict]  # LEAP's allocation label -> {"threads": int, "memory": "1G"}
    untagged_image: str
    idle_timeout_minutes: int


def load(path: Path = GATEWAY_YML) -> LeapOptions:
    """Parse gateway.yml, refusing unknown or missing keys."""
    data = yaml.safe_load(path.read_text()) or {}
    if set(data) != KEYS:
        raise ValueError(f"{path}: keys must be exactly {sorted(KEYS)}, got {sorted(data)}")
    return LeapOptions(data["instance_type"], dict(data["worker_resource_allocation"]),
                       data["untagged_image"], int(data["idle_timeout_minutes"]))


def cluster_options(leap: LeapOptions, base_environment: dict[str, str]) -> Callable[[object], Options]:
    """c.Backend.cluster_options: LEAP's five options, and a handler that sizes and configures a cluster.

    base_environment points workers at loopback; the handler's environment replaces the cluster
    config's, so it is merged here, and a member's option cannot override it.
    """
    labels = list(leap.sizes)

    def handler(options) -> dict:
        if ":" not in options.image:
            raise ValueError(leap.untagged_image)
        size = leap.sizes[options.worker_resource_allocation]
        return {
            "worker_cores": size["threads"],
            "worker_threads": size["threads"],
            "worker_memory": size["memory"],
            "environment": {**options.environment, **base_environment},
            "idle_timeout": options.idle_timeout_minutes * 60,
        }

    def for_user(user) -> Options:
        return Options(
            Select("instance_type", [leap.instance_type], default=leap.instance_type,
                   label="Instance type running worker containers"),
            Select("worker_resource_allocation", labels, default=labels[0], label="Resources per worker container"),
            String("image", label="Image"),  # the default comes from the client: the server's own image
            Mapping("environment", {}, label="Environment variables (YAML)"),
            Integer("idle_timeout_minutes", leap.idle_timeout_minutes, min=0,
                    label="Idle cluster terminated after (minutes)"),
            handler=handler,
        )

    return for_user
