"""Monthly climatology of a gridded SST dataset (an example file in a member's home)."""

import xarray as xr


def climatology(ds: xr.Dataset) -> xr.Dataset:
    """Mean of each calendar month over all years."""
    return ds.groupby("time.month").mean("time")
