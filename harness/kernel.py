"""One IPython kernel per page, driven by nbclient (as myst-nb's execution is), one cell at a time."""

from __future__ import annotations

import dataclasses
import re
import time
from queue import Empty

import nbformat
from jupyter_client.blocking import BlockingKernelClient
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbclient.util import run_sync

from .page import Cell

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
IPYTHON_CELL = re.compile(r"Cell In\[\d+\], line (\d+)")
START_ATTEMPTS = 3


@dataclasses.dataclass(frozen=True)
class Result:
    """What one cell did: its error (name, value, traceback text), stderr text, or a timeout."""

    error: tuple[str, str, str] | None = None
    stderr: str = ""
    timed_out: bool = False
    kernel_died: bool = False
    late: tuple[tuple[Cell, str], ...] = ()  # (cell, stderr) its threads or tasks wrote after it finished


class PageKernel:
    """A kernel for one page, started in cwd; run(cell) executes one cell of the page's notebook.

    nbclient keeps a cell's output only while the cell runs. A thread the cell started can write
    later, and the kernel sends that under the cell's request, where JupyterLab shows it. So a
    second client listens to everything the kernel sends, to find stderr written that way.
    """

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
        self.listener: BlockingKernelClient | None = None
        self.owners: dict[str, Cell] = {}  # execute request -> the cell it ran
        self.finished: set[str] = set()  # requests whose cell has finished

    def start(self) -> None:
        """Start the kernel; again if it dies starting, as Jupyter's kernel restarter does; else the last error.

        A kernel binds five ports that its manager picked a moment before. On a machine busy with
        loopback connections another process can take one of them first, and the kernel dies with
        "Address already in use" (a clean-clone run of `.ci/run` here met it in December 2026).
        """
        for attempt in range(1, START_ATTEMPTS + 1):
            try:
                return self._start_once()
            except Exception:
                if attempt == START_ATTEMPTS:
                    raise

    def _start_once(self) -> None:
        """Start the kernel and its client, and the listener; if any of them fails, stop what did start."""
        self.client.km = self.client.create_kernel_manager()
        try:
            self.started = True  # from here stop() shuts down whatever did start
            self.client.start_new_kernel(env=self.environ)  # the hub's variables, set before the kernel starts
            self.client.start_new_kernel_client()
            self.listener = BlockingKernelClient()
            self.listener.load_connection_info(self.client.km.get_connection_info())
            self.listener.start_channels(stdin=False, control=False)
            self.listener.wait_for_ready(timeout=self.client.startup_timeout)  # its IOPub hears the kernel from here
        except BaseException:
            self.stop()
            raise

    def run(self, cell: Cell) -> Result:
        """Execute one cell and say what happened."""
        node = self.notebook.cells[cell.index]
        try:
            self.client.execute_cell(node, cell.index)
        except CellTimeoutError:
            return Result(timed_out=True)
        except DeadKernelError:
            return Result(kernel_died=True)
        late = self._late_stderr(cell)
        stderr = "".join(o.get("text", "") for o in node.outputs if o.output_type == "stream" and o.name == "stderr")
        errors = [o for o in node.outputs if o.output_type == "error"]
        if not errors:
            return Result(stderr=stderr, late=late)
        error = errors[0]
        traceback = "\n".join(ANSI.sub("", line) for line in error.get("traceback", []))
        return Result(error=(error.ename, error.evalue, in_page(traceback, cell)), stderr=stderr, late=late)

    def _late_stderr(self, cell: Cell, wait: float = 2.0) -> tuple[tuple[Cell, str], ...]:
        """What the listener heard up to the end of this cell: stderr under a request whose cell had finished."""
        late: dict[str, list[str]] = {}
        request = None
        deadline = time.monotonic() + wait  # the listener's copy of the cell's messages may trail nbclient's
        while self.listener is not None:
            try:
                msg = self.listener.get_iopub_msg(timeout=0 if request in self.finished else 0.05)
            except Empty:
                if request in self.finished or time.monotonic() > deadline:
                    break
                continue
            parent, kind, content = msg["parent_header"].get("msg_id"), msg["msg_type"], msg["content"]
            if kind == "execute_input" and parent not in self.owners:
                self.owners[parent] = cell
                request = parent
            elif kind == "status" and content.get("execution_state") == "idle" and parent in self.owners:
                self.finished.add(parent)
            elif kind == "stream" and content.get("name") == "stderr" and parent in self.finished:
                late.setdefault(parent, []).append(content.get("text", ""))
        return tuple((self.owners[parent], "".join(texts)) for parent, texts in late.items())

    def stop(self) -> None:
        """Shut the kernel down, now (a hung cell must not delay the next page)."""
        if self.listener is not None:
            self.listener.stop_channels()
            self.listener = None
        if self.started and self.client.km is not None:  # None once nbclient has cleaned up a failed start itself
            if self.client.km.has_kernel:
                run_sync(self.client.km.shutdown_kernel)(now=True)
            if self.client.kc is not None:
                self.client.kc.stop_channels()
        self.started = False


def in_page(traceback: str, cell: Cell) -> str:
    """Rewrite IPython's "Cell In[N], line L" into the line of the .md file."""
    return IPYTHON_CELL.sub(lambda m: f"{cell.page}:{cell.code_line + int(m[1]) - 1}", traceback)
