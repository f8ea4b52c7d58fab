"""Regenerate the seeded Zarr stores: the shared read-only dataset and a lived-in member's store (run by hand).

python -m fakehub.seeddata   (from the repository root; deterministic, so a rerun changes no byte
of the data; commit what it writes)
"""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import xarray as xr

from .config import load

STORE = "data-library/sst-monthly-demo.zarr"
EARLIER_STORE = "leap-scratch/regrid-test/tas-coarse.zarr"  # under seeds/lived-in/: the member's own


def dataset() -> xr.Dataset:
    """A small, smooth, made-up monthly sea surface temperature field."""
    time = pd.date_range("2020-01-01", periods=24, freq="MS")
    lat = np.arange(-87.5, 90, 5.0)
    lon = np.arange(2.5, 360, 5.0)
    season = np.cos(2 * np.pi * (time.month.to_numpy() - 3) / 12)[:, None, None]
    base = 28 * np.cos(np.deg2rad(lat))[None, :, None] - 1.5
    hemisphere = np.sign(lat)[None, :, None]
    noise = np.random.default_rng(42).normal(0, 0.3, (time.size, lat.size, lon.size))
    sst = (base + 3 * season * hemisphere + noise).astype("float32")
    return xr.Dataset(
        {"sst": (("time", "lat", "lon"), sst, {"units": "degC", "long_name": "sea surface temperature"})},
        coords={"time": time, "lat": ("lat", lat, {"units": "degrees_north"}),
                "lon": ("lon", lon, {"units": "degrees_east"})},
        attrs={"title": "Synthetic monthly SST for the LEAP hub guide",
               "source": "made up by fakehub/seeddata.py; not observations"},
    )


def earlier_dataset() -> xr.Dataset:
    """A lived-in member's earlier work: a coarse made-up temperature field from a regridding test."""
    lat = np.arange(-80.0, 90, 20.0)
    lon = np.arange(0.0, 360, 40.0)
    tas = (15 + 12 * np.cos(np.deg2rad(lat))[:, None] + 0 * lon[None, :]).astype("float32")
    return xr.Dataset(
        {"tas": (("lat", "lon"), tas, {"units": "degC"})},
        coords={"lat": lat, "lon": lon},
        attrs={"title": "regridding test (a lived-in member's earlier work; made up by fakehub/seeddata.py)"},
    )


def write(data: xr.Dataset, target) -> None:
    """Replace target with data as a consolidated Zarr (format 2) store."""
    shutil.rmtree(target, ignore_errors=True)
    data.to_zarr(target, zarr_format=2, consolidated=True)
    print(f"wrote {target}")


def main() -> None:
    """Write both stores into the seed folders."""
    config = load()
    write(dataset().chunk({"time": 12}), config.seed_buckets / "leap-persistent-ro" / STORE)
    write(earlier_dataset(), config.seed_lived_in / EARLIER_STORE)


if __name__ == "__main__":
    main()
