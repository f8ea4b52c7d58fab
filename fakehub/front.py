"""The storage front: a loopback proxy before fake-gcs-server that imitates GCS's permissions and logs what it served.

fake-gcs-server has no IAM. On the hub, the servers' service account may not write to the
read-only bucket: GCS answers 403 with a JSON error. The front gives that answer to every write
into a read-only bucket (uploads, metadata updates, deletes, copies, rewrites and composes into
it, batched deletes too) and passes everything else on unchanged. It also records each object
read it served (a media download or an object's metadata, answered 2xx; a listing is not a read),
which the harness asks for at GET /_fakehub/served?since=N (since=end: just the next index).

Run as: python -m fakehub.front PORT UPSTREAM_URL [--read-only BUCKET ...]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import secrets
import urllib.parse

from aiohttp import ClientSession, ClientTimeout, TCPConnector, web

SERVED_PATH = "/_fakehub/served"
# The identity every server of leap.2i2c.cloud uses, named in GCS's 403 messages: 2i2c's terraform
# names it <prefix>-<hub> in the project (workload-identity.tf; leap.tfvars: leap, leap-pangeo; read 2026-12).
SERVICE_ACCOUNT = "leap-prod@leap-pangeo.iam.gserviceaccount.com"
HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
              "transfer-encoding", "upgrade", "host", "content-length"}
OBJECT = re.compile(r"^(?:/download)?/storage/v1/b/(?P<bucket>[^/]+)/o/(?P<name>[^/]+)$")
UPLOAD = re.compile(r"^/upload/storage/v1/b/(?P<bucket>[^/]+)/o$")
INTO = re.compile(r"^/storage/v1/b/(?P<source>[^/]+/o/[^/]+)/(?:copyTo|rewriteTo)/b/(?P<bucket>[^/]+)/o/[^/]+$")
COMPOSE = re.compile(r"^/storage/v1/b/(?P<bucket>[^/]+)/o/[^/]+/compose$")
BUCKET = re.compile(r"^/storage/v1/b/(?P<bucket>[^/]+)$")
BATCH = "/batch/storage/v1"
WRITES = {"POST", "PUT", "PATCH", "DELETE"}


def refused_permission(method: str, raw_path: str, read_only: frozenset[str]) -> str:
    """The GCS permission a request needs and the service account lacks ("" when it may go on)."""
    if method not in WRITES:
        return ""
    for pattern, permission in ((UPLOAD, "storage.objects.create"), (INTO, "storage.objects.create"),
                                (COMPOSE, "storage.objects.create")):
        found = pattern.match(raw_path)
        if found and urllib.parse.unquote(found["bucket"]) in read_only:
            return permission
    found = OBJECT.match(raw_path)
    if found and urllib.parse.unquote(found["bucket"]) in read_only:
        return "storage.objects.delete" if method == "DELETE" else "storage.objects.update"
    found = BUCKET.match(raw_path)
    if found and urllib.parse.unquote(found["bucket"]) in read_only:
        return "storage.buckets.delete" if method == "DELETE" else "storage.buckets.update"
    return ""


def forbidden_body(permission: str) -> bytes:
    """The JSON error GCS sends with a 403 when the caller lacks a permission."""
    what = "bucket" if permission.startswith("storage.buckets.") else "object"
    message = (f"{SERVICE_ACCOUNT} does not have {permission} access to the Google Cloud Storage {what}. "
               f"Permission '{permission}' denied on resource (or it may not exist).")
    return json.dumps({"error": {"code": 403, "message": message,
                                 "errors": [{"message": message, "domain": "global", "reason": "forbidden"}]}}).encode()


def object_read(method: str, raw_path: str, status: int) -> str:
    """"bucket/name" when the request read an object (or copied from one) and was served; else ""."""
    if not 200 <= status < 300:
        return ""
    found = OBJECT.match(raw_path) if method == "GET" else None
    if found:
        return f"{urllib.parse.unquote(found['bucket'])}/{urllib.parse.unquote(found['name'])}"
    found = INTO.match(raw_path) if method == "POST" else None
    if found:
        bucket, _, name = found["source"].partition("/o/")
        return f"{urllib.parse.unquote(bucket)}/{urllib.parse.unquote(name)}"
    return ""


class Front:
    """The proxy's state: upstream, read-only buckets, the served log, one pooled client session."""

    def __init__(self, upstream: str, read_only: frozenset[str]):
        self.upstream = upstream.rstrip("/")
        self.read_only = read_only
        self.served: list[str] = []
        self.session: ClientSession | None = None
        self.own_url = ""  # set once listening: Location headers point back here, not upstream

    async def start_session(self, app: web.Application) -> None:
        """One pooled, never-decompressing client session for the app's lifetime."""
        self.session = ClientSession(connector=TCPConnector(limit=64), auto_decompress=False,
                                     timeout=ClientTimeout(total=300), trust_env=False)

    async def close_session(self, app: web.Application) -> None:
        """Close the client session."""
        await self.session.close()

    async def served_log(self, request: web.Request) -> web.Response:
        """The objects read since index `since`, and the index to ask from next."""
        since = request.query.get("since", "0")
        if since == "end":  # a mark: where the next read will be logged
            return web.json_response({"next": len(self.served), "served": []})
        since = int(since)
        return web.json_response({"next": len(self.served), "served": self.served[since:]})

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Refuse a forbidden write, handle a batch part by part, or pass the request on."""
        raw_path = request.raw_path.split("?", 1)[0]
        if raw_path == BATCH and request.method == "POST":
            return await self.batch(request)
        permission = refused_permission(request.method, raw_path, self.read_only)
        if permission:
            await request.read()
            return web.Response(status=403, body=forbidden_body(permission), content_type="application/json")
        body = await request.read()  # buffered: an upload's length stays exact for fake-gcs-server
        async with self.session.request(request.method, self.upstream + request.raw_path, data=body or None,
                                        headers=self.sent_headers(request.headers), allow_redirects=False) as reply:
            response = web.StreamResponse(status=reply.status, headers=self.kept_headers(reply.headers))
            if reply.content_length is not None:
                response.content_length = reply.content_length
            await response.prepare(request)
            async for chunk in reply.content.iter_chunked(1 << 20):  # a download streams through
                await response.write(chunk)
            await response.write_eof()
        self.record(request.method, raw_path, reply.status)
        return response

    @staticmethod
    def sent_headers(headers) -> dict[str, str]:
        """A request's end-to-end headers, for upstream."""
        return {k: v for k, v in headers.items() if k.lower() not in HOP_BY_HOP}

    def kept_headers(self, headers) -> dict[str, str]:
        """A reply's end-to-end headers, with a Location (a resumable upload's) pointed back at the front."""
        kept = {k: v for k, v in headers.items() if k.lower() not in HOP_BY_HOP}
        if "Location" in kept and self.own_url:
            kept["Location"] = kept["Location"].replace(self.upstream, self.own_url)
        return kept

    def record(self, method: str, raw_path: str, status: int) -> None:
        """Log an object read that was served."""
        name = object_read(method, raw_path, status)
        if name:
            self.served.append(name)

    async def forward(self, method: str, raw_target: str, headers, body: bytes):
        """Send one request upstream, verbatim; its status, headers and body (for a batch's parts)."""
        async with self.session.request(method, self.upstream + raw_target, headers=self.sent_headers(headers),
                                        data=body or None, allow_redirects=False) as reply:
            return reply.status, self.kept_headers(reply.headers), await reply.read()

    async def batch(self, request: web.Request) -> web.Response:
        """A batch request (gcsfs's rm of many objects): each part refused or passed on by itself, as GCS does."""
        boundary = request.content_type and request.headers["Content-Type"].split("boundary=", 1)[-1].strip('"')
        text = (await request.read()).decode()
        parts = [p for p in text.split(f"--{boundary}") if p.strip() and p.strip() != "--"]
        replies = await asyncio.gather(*(self.batch_part(part) for part in parts))
        out = f"batch_{secrets.token_hex(8)}"
        body = "".join(f"--{out}\r\nContent-Type: application/http\r\nContent-ID: <response-{i + 1}>\r\n\r\n{reply}\r\n"
                       for i, reply in enumerate(replies)) + f"--{out}--\r\n"
        kind = f"multipart/mixed; boundary={out}"
        return web.Response(status=200, body=body.encode(), headers={"Content-Type": kind})

    async def batch_part(self, part: str) -> str:
        """One part of a batch: its HTTP response, as text."""
        inner = part.replace("\r\n", "\n").split("\n\n", 1)[-1]
        head, _, body = inner.partition("\n\n")
        lines = head.strip().split("\n")
        method, target, _ = lines[0].split(" ", 2)
        headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
        raw_path = target.split("?", 1)[0]
        permission = refused_permission(method, raw_path, self.read_only)
        if permission:
            status, data, kind = 403, forbidden_body(permission), "application/json"
        else:
            status, reply_headers, data = await self.forward(method, target, headers, body.encode())
            kind = reply_headers.get("Content-Type", "application/json")
            self.record(method, raw_path, status)
        reason = {200: "OK", 204: "No Content", 403: "Forbidden", 404: "Not Found"}.get(status, "")
        return (f"HTTP/1.1 {status} {reason}\r\nContent-Type: {kind}\r\nContent-Length: {len(data)}\r\n\r\n"
                f"{data.decode(errors='replace')}")


def make_app(upstream: str, read_only: frozenset[str]) -> tuple[web.Application, Front]:
    """The aiohttp application, and its front's state (for tests)."""
    front = Front(upstream, read_only)
    app = web.Application(client_max_size=1024 ** 3)
    app.on_startup.append(front.start_session)
    app.on_cleanup.append(front.close_session)
    app.router.add_get(SERVED_PATH, front.served_log)
    app.router.add_route("*", "/{tail:.*}", front.handle)
    return app, front


def main(argv: list[str] | None = None) -> None:
    """Serve on 127.0.0.1:PORT until killed (the stack's supervisor stops it with the hub)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("port", type=int)
    parser.add_argument("upstream")
    parser.add_argument("--read-only", action="append", default=[])
    args = parser.parse_args(argv)
    app, front = make_app(args.upstream, frozenset(args.read_only))
    front.own_url = f"http://127.0.0.1:{args.port}"
    web.run_app(app, host="127.0.0.1", port=args.port, print=None, access_log=None, handle_signals=True)


if __name__ == "__main__":
    main()
