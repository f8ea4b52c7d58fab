"""Regenerate the shared read-only dataset in seeds/buckets/leap-persistent-ro (run by hand).

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


def main() -> None:
    """Write the dataset as a consolidated Zarr (format 2) store into the seed folder."""
    target = load().seed_buckets / "leap-persistent-ro" / STORE
    shutil.rmtree(target, ignore_errors=True)
    dataset().chunk({"time": 12}).to_zarr(target, zarr_format=2, consolidated=True)
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
