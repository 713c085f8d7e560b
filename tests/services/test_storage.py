import boto3
import pytest

from agent.config import Settings
from agent.services.s3_storage import S3Storage
from agent.services.storage import LocalStorage, build_storage
from tests.services.contracts import storage_contract
from tests.support.servers import MotoServer


async def test_local_storage_passes_the_contract(tmp_path):
    await storage_contract(LocalStorage(tmp_path))


@pytest.fixture(scope="module")
def s3_endpoint():
    server = MotoServer()
    yield server.url
    server.stop()


async def test_s3_storage_passes_the_contract_against_a_real_s3_endpoint(s3_endpoint, unique):
    settings = Settings.from_env({
        "S3_BUCKET": f"bucket-{unique}", "S3_ENDPOINT_URL": s3_endpoint, "S3_ACCESS_KEY_ID": "test",
        "S3_SECRET_ACCESS_KEY": "test", "S3_PREFIX": "env-a",
    })
    boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1", aws_access_key_id="test",
                 aws_secret_access_key="test").create_bucket(Bucket=settings.s3_bucket)
    storage = build_storage(settings)
    assert isinstance(storage, S3Storage)
    await storage_contract(storage)
    url = await storage.url("projects/1/sub/b.bin")
    assert url.startswith(s3_endpoint) and "env-a/projects/1/sub/b.bin" in url


def test_local_storage_is_the_default(tmp_path):
    assert isinstance(build_storage(Settings.from_env({"DATA_DIR": str(tmp_path)})), LocalStorage)
