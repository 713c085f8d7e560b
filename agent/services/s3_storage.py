"""The S3 storage adapter (boto3), for AWS S3 or any S3-compatible endpoint (MinIO, R2).

boto3 is blocking, so every call runs in a thread, with explicit connect and read timeouts and a
bounded retry (a store that never answers fails a call in well under a minute, not boto3's four
minutes). A store that is down is not asked again at once: after a call that failed for want of an
answer (a timeout, a refused connection, a 5xx), every call for the next BREAK_SECONDS fails at once,
so a build goes on at full speed instead of waiting out every upload (snapshots are tried again later,
see agent/snapshots.py). The bucket must exist; keys live under an optional prefix so several
environments can share one bucket.
"""

from __future__ import annotations

import asyncio
import time

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from agent.config import Settings
from agent.services.storage import ObjectMissing, StorageError, check_key


CONNECT_SECONDS, READ_SECONDS, ATTEMPTS = 5, 20, 3  # seconds, not minutes: a stuck store never holds a build
BREAK_SECONDS = 30.0  # after the store failed to answer, how long calls fail at once instead of waiting


class S3Storage:
    def __init__(self, client, bucket: str, prefix: str = ""):
        self.client = client
        self.bucket = bucket
        self.prefix = f"{prefix.strip('/')}/" if prefix.strip("/") else ""
        self._down_until = 0.0  # the breaker: calls fail at once until then

    @classmethod
    def from_settings(cls, settings: Settings) -> S3Storage:
        client = boto3.client(
            "s3",
            endpoint_url=settings.s3_endpoint_url or None,
            region_name=settings.s3_region,
            aws_access_key_id=settings.s3_access_key_id or None,
            aws_secret_access_key=settings.s3_secret_access_key or None,
            config=Config(connect_timeout=CONNECT_SECONDS, read_timeout=READ_SECONDS, signature_version="s3v4",
                          retries={"max_attempts": ATTEMPTS, "mode": "standard"}),
        )
        return cls(client, settings.s3_bucket, settings.s3_prefix)

    def _key(self, key: str) -> str:
        return self.prefix + check_key(key)

    async def _call(self, method: str, **kwargs):
        if (wait := self._down_until - time.monotonic()) > 0:
            raise StorageError(f"S3 {method} not tried: the store did not answer; trying again in {wait:.0f} s")
        try:
            result = await asyncio.to_thread(getattr(self.client, method), **kwargs)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code in ("NoSuchKey", "404", "NotFound"):
                raise ObjectMissing(kwargs.get("Key", "")) from None
            if exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) >= 500:
                self._down_until = time.monotonic() + BREAK_SECONDS
            raise StorageError(f"S3 {method} failed: {code or exc}") from exc
        except BotoCoreError as exc:  # a timeout, a refused or dropped connection
            self._down_until = time.monotonic() + BREAK_SECONDS
            raise StorageError(f"S3 {method} failed: {exc}") from exc
        self._down_until = 0.0
        return result

    async def put(self, key: str, data: bytes, *, content_type: str = "application/octet-stream") -> None:
        await self._call("put_object", Bucket=self.bucket, Key=self._key(key), Body=data, ContentType=content_type)

    async def get(self, key: str) -> bytes:
        response = await self._call("get_object", Bucket=self.bucket, Key=self._key(key))
        return await asyncio.to_thread(response["Body"].read)

    async def list(self, prefix: str = "") -> list[str]:
        keys: list[str] = []
        token: str | None = None
        while True:
            kwargs = {"Bucket": self.bucket, "Prefix": self.prefix + prefix}
            if token:
                kwargs["ContinuationToken"] = token
            page = await self._call("list_objects_v2", **kwargs)
            keys.extend(item["Key"][len(self.prefix):] for item in page.get("Contents", []))
            if not page.get("IsTruncated"):
                return sorted(keys)
            token = page["NextContinuationToken"]

    async def delete(self, key: str) -> None:
        await self._call("delete_object", Bucket=self.bucket, Key=self._key(key))

    async def url(self, key: str, *, expires_in: int = 3600) -> str | None:
        return await asyncio.to_thread(
            self.client.generate_presigned_url,
            "get_object",
            Params={"Bucket": self.bucket, "Key": self._key(key)},
            ExpiresIn=expires_in,
        )
