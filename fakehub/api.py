"""The few GCS JSON API calls the fake hub makes itself (plain urllib, loopback only)."""

from __future__ import annotations

import json
import mimetypes
import urllib.parse
import urllib.request

OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never a proxy: loopback only


def get_json(url: str, timeout: float = 10.0) -> dict:
    """GET a JSON document from the emulator (loopback only: callers check first); as patient as a write."""
    with OPENER.open(url, timeout=timeout) as response:
        return json.load(response)


def _send(method: str, url: str, body: bytes = b"", content_type: str = "application/json") -> bytes:
    request = urllib.request.Request(url, data=body or None, method=method)
    request.add_header("Content-Type", content_type)
    with OPENER.open(request, timeout=10) as response:
        return response.read()


def _quote(name: str) -> str:
    return urllib.parse.quote(name, safe="")


def bucket_names(url: str) -> set[str]:
    """Names of the buckets the server has."""
    return {b["name"] for b in get_json(f"{url}/storage/v1/b").get("items", [])}


def create_bucket(url: str, bucket: str) -> None:
    """Create an empty bucket."""
    _send("POST", f"{url}/storage/v1/b", json.dumps({"name": bucket}).encode())


def list_objects(url: str, bucket: str) -> list[dict]:
    """Every object in a bucket, as the JSON API describes it, following pages."""
    items, token = [], ""
    while True:
        query = urllib.parse.urlencode({"maxResults": 1000, **({"pageToken": token} if token else {})})
        page = get_json(f"{url}/storage/v1/b/{bucket}/o?{query}")
        items += page.get("items", [])
        token = page.get("nextPageToken", "")
        if not token:
            return items


def upload(url: str, bucket: str, name: str, data: bytes) -> None:
    """Write one object."""
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    _send("POST", f"{url}/upload/storage/v1/b/{bucket}/o?uploadType=media&name={_quote(name)}", data, content_type)


def delete(url: str, bucket: str, name: str) -> None:
    """Delete one object."""
    _send("DELETE", f"{url}/storage/v1/b/{bucket}/o/{_quote(name)}")


def served(front_url: str, since: int | str = 0) -> tuple[int, list[str]]:
    """The objects the storage front served reads of since index `since` ("bucket/name"), and the next index.

    since="end" asks for the next index only.
    """
    reply = get_json(f"{front_url}/_fakehub/served?since={since}")
    return reply["next"], reply["served"]


def snapshot(url: str, buckets: tuple[str, ...] | list[str]) -> dict[str, tuple[int, str]]:
    """Every object of the buckets, as "bucket/name" -> (size, checksum): enough to see any change."""
    return {
        f"{bucket}/{item['name']}": (int(item.get("size", 0)), item.get("md5Hash") or item.get("crc32c", ""))
        for bucket in buckets
        for item in list_objects(url, bucket)
    }

