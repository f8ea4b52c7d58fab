"""The member's own regridding script, kept beside the notebooks they run."""

FACTOR = 4
