"""Workspace snapshots in real storage, on the local sandbox and on the E2B adapter's stand-in: the
manifest, keeping the last five, three pause/resume cycles in a row losing no file (the E2B issue 884
scenario), and restoring a workspace that lost files, with the agent told where it was restored to."""

import json

import pytest

from agent import snapshots
from agent.services.e2b_sandbox import E2BSandbox
from agent.services.confinement import UNCONFINED
from agent.services.local_sandbox import LocalSandbox
from agent.services.storage import LocalStorage
from tests.support.fake_e2b import FakeE2B

PREFIX = "projects/7/"


@pytest.fixture(params=["local", "e2b"])
async def box(request, tmp_path):
    if request.param == "local":
        yield LocalSandbox(tmp_path / "ws", confinement=UNCONFINED)
        return
    fake = FakeE2B()
    yield await E2BSandbox.open(fake)
    fake.cleanup()


def test_the_manifest_hashes_every_file_and_only_losses_count():
    saved = {"app/main.py": "a", "README.md": "b"}
    assert snapshots.differences(saved, {"app/main.py": "a", "README.md": "b", "new.txt": "c"}) == []
    assert snapshots.differences(saved, {"app/main.py": "x"}) == ["README.md", "app/main.py"]


async def test_three_pause_resume_cycles_lose_no_file(box, tmp_path):
    storage = LocalStorage(tmp_path / "files")
    for cycle in range(1, 4):
        await box.write_file(f"app/part{cycle}.py", f"PART = {cycle}\n".encode())
        shot = await snapshots.take(storage, box, storage_prefix=PREFIX, run_id=1, number=cycle,
                                    label=f"the end of phase {cycle}")
        await box.pause()
        await box.resume()
        assert await snapshots.verify(storage, box, shot) == ""  # nothing lost, nothing restored
    for cycle in range(1, 4):
        assert await box.read_file(f"app/part{cycle}.py") == f"PART = {cycle}\n".encode()
    files = json.loads(await storage.get(shot.manifest_key))["files"]
    assert {"app/part1.py", "app/part2.py", "app/part3.py"} <= set(files)


async def test_a_lost_workspace_is_restored_and_the_agent_is_told(box, tmp_path):
    storage = LocalStorage(tmp_path / "files")
    await box.write_file("app/main.py", b"print('walkies')\n")
    await snapshots.take(storage, box, storage_prefix=PREFIX, run_id=2, number=1, label="the end of phase 2: Sign-up")
    await box.run("rm -f app/main.py")
    shot = await snapshots.latest(storage, storage_prefix=PREFIX, run_id=2)
    told = await snapshots.verify(storage, box, shot)
    assert told.startswith("Your environment was restored to the end of phase 2: Sign-up (1 file(s)")
    assert await box.read_file("app/main.py") == b"print('walkies')\n"


async def test_only_the_last_five_snapshots_are_kept(tmp_path):
    storage = LocalStorage(tmp_path / "files")
    box = LocalSandbox(tmp_path / "ws", confinement=UNCONFINED)
    for n in range(1, 8):
        await box.write_file("n.txt", str(n).encode())
        await snapshots.take(storage, box, storage_prefix=PREFIX, run_id=3, number=n, label=f"step {n}")
    kept = sorted(k for k in await storage.list(f"{PREFIX}snapshots/run-3/") if k.endswith(".tar.gz"))
    assert [k.rsplit("/", 1)[1] for k in kept] == [f"{n:05d}.tar.gz" for n in range(3, 8)]
    assert len(await storage.list(f"{PREFIX}snapshots/run-3/")) == 10  # each with its manifest
    assert (await snapshots.latest(storage, storage_prefix=PREFIX, run_id=3)).label == "step 7"


async def test_a_snapshot_that_fails_never_fails_the_build(tmp_path):
    class Broken(LocalSandbox):
        async def snapshot(self):
            raise OSError("disk full")

    storage = LocalStorage(tmp_path / "files")
    assert await snapshots.take(storage, Broken(tmp_path / "ws", confinement=UNCONFINED), storage_prefix=PREFIX,
                                run_id=4, number=1, label="x") is None
