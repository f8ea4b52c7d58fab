"""The member's server stopped as Kubernetes stops a pod: SIGTERM, a grace period, then SIGKILL.

JupyterHub's local spawner starts with SIGINT, on which jupyter_server leaves its kernels to die
with it (they exit without running their atexit hooks, so a Dask Gateway cluster they made
outlives them). On leap.2i2c.cloud KubeSpawner deletes the server's pod: the server gets SIGTERM,
shuts its kernels down cleanly, and each kernel's exit shuts its gateway clusters down.
"""

import signal

from jupyterhub.spawner import SimpleLocalProcessSpawner

GRACE_S = 30  # Kubernetes' default terminationGracePeriodSeconds


class PodLikeSpawner(SimpleLocalProcessSpawner):
    """SimpleLocalProcessSpawner whose stop() signals as a pod deletion does."""

    async def stop(self, now=False):
        """SIGTERM, wait up to GRACE_S, then SIGKILL; at once with SIGKILL when now is true."""
        if await self.poll() is not None:
            return
        if not now:
            await self._signal(signal.SIGTERM)
            await self.wait_for_death(GRACE_S)
            if await self.poll() is not None:
                return
        await self._signal(signal.SIGKILL)
        await self.wait_for_death(self.kill_timeout)
