"""The Nino 3.4 index of a monthly SST dataset (a member's own code, kept in git)."""

import xarray as xr


def nino34(sst: xr.DataArray) -> xr.DataArray:
    """Area mean of the monthly anomaly over 5S-5N, 170W-120W."""
    box = sst.sel(lat=slice(-5, 5), lon=slice(190, 240))
    anomaly = box.groupby("time.month") - box.groupby("time.month").mean("time")
    return anomaly.mean(["lat", "lon"])
