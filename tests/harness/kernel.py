"""One IPython kernel per page, driven by nbclient (as myst-nb's execution is), one cell at a time."""

from __future__ import annotations

import dataclasses
import re

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbclient.util import run_sync

from .page import Cell

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
IPYTHON_CELL = re.compile(r"Cell In\[\d+\], line (\d+)")


@dataclasses.dataclass(frozen=True)
class Result:
    """What one cell did: its error (name, value, traceback text), stderr text, or a timeout."""

    error: tuple[str, str, str] | None = None
    stderr: str = ""
    timed_out: bool = False
    kernel_died: bool = False


class PageKernel:
    """A kernel for one page, started in cwd; run(cell) executes one cell of the page's notebook."""

    def __init__(self, notebook: nbformat.NotebookNode, cwd: str, timeout: int, environ: dict[str, str]):
        self.notebook = notebook
        self.environ = environ
        self.client = NotebookClient(
            notebook,
            timeout=timeout,
            allow_errors=True,  # the harness judges each cell itself
            interrupt_on_timeout=False,  # raise CellTimeoutError; the page stops there anyway
            resources={"metadata": {"path": cwd}},
            kernel_name=notebook.metadata.get("kernelspec", {}).get("name", "python3"),
        )
        self.started = False

    def start(self) -> None:
        """Start the kernel and its client."""
        self.client.km = self.client.create_kernel_manager()
        self.client.start_new_kernel(env=self.environ)  # the hub's variables, set before the kernel starts
        self.client.start_new_kernel_client()
        self.started = True

    def run(self, cell: Cell) -> Result:
        """Execute one cell and say what happened."""
        node = self.notebook.cells[cell.index]
        try:
            self.client.execute_cell(node, cell.index)
        except CellTimeoutError:
            return Result(timed_out=True)
        except DeadKernelError:
            return Result(kernel_died=True)
        stderr = "".join(o.get("text", "") for o in node.outputs if o.output_type == "stream" and o.name == "stderr")
        errors = [o for o in node.outputs if o.output_type == "error"]
        if not errors:
            return Result(stderr=stderr)
        error = errors[0]
        traceback = "\n".join(ANSI.sub("", line) for line in error.get("traceback", []))
        return Result(error=(error.ename, error.evalue, in_page(traceback, cell)), stderr=stderr)

    def stop(self) -> None:
        """Shut the kernel down, now (a hung cell must not delay the next page)."""
        if self.started and self.client.km is not None:
            run_sync(self.client.km.shutdown_kernel)(now=True)
            self.client.kc.stop_channels()
        self.started = False


def in_page(traceback: str, cell: Cell) -> str:
    """Rewrite IPython's "Cell In[N], line L" into the line of the .md file."""
    return IPYTHON_CELL.sub(lambda m: f"{cell.page}:{cell.code_line + int(m[1]) - 1}", traceback)
