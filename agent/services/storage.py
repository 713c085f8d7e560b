"""Object storage for bytes: snapshots, screenshots, docs, handover packs.

One protocol, a local-directory adapter (the default) and an S3 adapter (any S3-compatible endpoint:
AWS, MinIO, R2) chosen by configuration. Keys are relative, slash-separated paths; anything that
could escape the store (absolute paths, `..`, empty parts) is refused.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Protocol

from agent.config import Settings


class StorageError(Exception):
    """Storage refused or failed an operation."""


class ObjectMissing(StorageError, KeyError):
    """No object is stored under that key."""


def check_key(key: str) -> str:
    parts = key.split("/")
    if not key or key.startswith("/") or any(p in ("", ".", "..") for p in parts) or "\\" in key:
        raise StorageError(f"invalid storage key: {key!r}")
    return key


class Storage(Protocol):
    async def put(self, key: str, data: bytes, *, content_type: str = "application/octet-stream") -> None: ...
    async def get(self, key: str) -> bytes: ...
    async def list(self, prefix: str = "") -> list[str]: ...
    async def delete(self, key: str) -> None: ...
    async def url(self, key: str, *, expires_in: int = 3600) -> str | None: ...


class LocalStorage:
    """Files under one directory. `url` is None: the app serves them through its own routes."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    async def put(self, key: str, data: bytes, *, content_type: str = "application/octet-stream") -> None:
        path = self._path(key)

        def _write() -> None:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
            tmp.write_bytes(data)
            os.replace(tmp, path)  # readers never see half an object

        await asyncio.to_thread(_write)

    async def get(self, key: str) -> bytes:
        path = self._path(key)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise ObjectMissing(key) from None
        except OSError as exc:  # a name too long for the file system, say: no such object either
            raise ObjectMissing(key) from exc

    async def list(self, prefix: str = "") -> list[str]:
        def _walk() -> list[str]:
            if not self.root.exists():
                return []
            keys = (p.relative_to(self.root).as_posix() for p in self.root.rglob("*") if p.is_file())
            return sorted(k for k in keys if k.startswith(prefix) and not k.rsplit("/", 1)[-1].startswith("."))

        return await asyncio.to_thread(_walk)

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._path(key).unlink, missing_ok=True)

    async def url(self, key: str, *, expires_in: int = 3600) -> str | None:
        return None


def build_storage(settings: Settings) -> Storage:
    if settings.storage_backend == "s3":
        from agent.services.s3_storage import S3Storage

        return S3Storage.from_settings(settings)
    return LocalStorage(settings.storage_dir)
