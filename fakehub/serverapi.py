"""A member's server driven as JupyterLab drives it: its kernels over REST, code run over the kernel's websocket."""

from __future__ import annotations

import asyncio
import datetime
import json
import uuid

from tornado.httpclient import HTTPRequest
from tornado.websocket import websocket_connect

from . import hubapi
from .errors import HubError


class ServerAPI:
    """The member's default server at hub_url/user/<member>/, with a token that may access it."""

    def __init__(self, hub_url: str, member: str, token: str):
        self.base = f"{hub_url}/user/{member}/api"
        self.token = token

    def kernels(self) -> list[dict]:
        """The server's running kernels."""
        return hubapi.call(f"{self.base}/kernels", self.token)

    def start_kernel(self) -> str:
        """Start a python3 kernel, as opening a notebook does; its id."""
        return hubapi.call(f"{self.base}/kernels", self.token, "POST", {"name": "python3"}, timeout=60)["id"]

    def execute(self, kernel_id: str, code: str, timeout: float = 120) -> str:
        """Run code in the kernel, as a notebook tab does; its stdout. Raise HubError with the traceback if it fails."""
        return asyncio.run(asyncio.wait_for(self._execute(kernel_id, code), timeout))

    def connect(self, kernel_id: str):
        """A websocket connected to the kernel, as an open notebook tab holds one (a coroutine)."""
        url = f"{self.base.replace('http://', 'ws://')}/kernels/{kernel_id}/channels"
        return websocket_connect(HTTPRequest(url, headers={"Authorization": f"token {self.token}"}))

    async def _execute(self, kernel_id: str, code: str) -> str:
        socket = await self.connect(kernel_id)
        try:
            await self._ready(socket)
            msg_id = uuid.uuid4().hex
            await socket.write_message(json.dumps(request(msg_id, "execute_request", execute_content(code))))
            return await self._collect(socket, msg_id)
        finally:
            socket.close()

    @staticmethod
    async def _ready(socket) -> None:
        """Ask for kernel_info until the kernel answers, as JupyterLab does: a message sent too early is lost."""
        while True:
            msg_id = uuid.uuid4().hex
            await socket.write_message(json.dumps(request(msg_id, "kernel_info_request", {})))
            deadline = asyncio.get_running_loop().time() + 1.0
            while (left := deadline - asyncio.get_running_loop().time()) > 0:
                try:
                    text = await asyncio.wait_for(socket.read_message(), left)
                except TimeoutError:
                    break
                if text is None:
                    raise HubError("the kernel's websocket closed before the kernel answered")
                message = json.loads(text)
                if message["msg_type"] == "kernel_info_reply" and message["parent_header"].get("msg_id") == msg_id:
                    return

    @staticmethod
    async def _collect(socket, msg_id: str) -> str:
        """Read the kernel's messages for msg_id until both its reply and its idle status came."""
        out, reply, idle = [], None, False
        while reply is None or not idle:  # `idle` can arrive before the reply
            text = await socket.read_message()
            if text is None:
                raise HubError("the kernel's websocket closed before the code finished")
            message = json.loads(text)
            if message.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = message["msg_type"], message["content"]
            if kind == "stream" and content["name"] == "stdout":
                out.append(content["text"])
            elif kind == "status" and content["execution_state"] == "idle":
                idle = True
            elif kind == "execute_reply":
                reply = content
        if reply["status"] != "ok":
            raise HubError("the kernel's code failed:\n" + "\n".join(reply.get("traceback", [])))
        return "".join(out)


def execute_content(code: str) -> dict:
    """An execute_request's content: run code as a notebook cell."""
    return {"code": code, "silent": False, "store_history": False, "user_expressions": {},
            "allow_stdin": False, "stop_on_error": True}


def request(msg_id: str, msg_type: str, content: dict) -> dict:
    """A shell-channel request in the kernel protocol's JSON form (the websocket's default)."""
    # The server drops a message without a date.
    header = {"msg_id": msg_id, "msg_type": msg_type, "session": uuid.uuid4().hex, "username": "",
              "version": "5.3", "date": datetime.datetime.now(datetime.UTC).isoformat()}
    return {"header": header, "parent_header": {}, "metadata": {}, "content": content, "channel": "shell"}
