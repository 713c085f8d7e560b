from agent import guards


def test_the_same_call_with_the_same_result_three_times_in_ten_halts():
    guard = guards.RepetitionGuard()
    call = ("bash", {"command": "pytest", "timeout": 60})
    assert guard.after(*call, "1 failed in 0.31s", False) is None
    assert guard.after("read_file", {"path": "a.py"}, "x = 1", True) is None
    assert guard.after("bash", {"timeout": 60, "command": "pytest"}, "1 failed in 0.29s", False) is None  # key order
    signature = guard.after(*call, "1 failed in 0.40s", False)  # the timing differs: the same result
    assert signature == guards.call_signature(*call) and signature.startswith("bash:")


def test_a_changed_result_or_a_changed_workspace_is_progress():
    guard = guards.RepetitionGuard()
    for failed in (3, 2, 1):  # fewer failures each time: progress
        assert guard.after("bash", {"command": "pytest"}, f"{failed} failed in 0.{failed}s", False) is None
    guard = guards.RepetitionGuard()
    for fix in ("a", "b", "c", "d"):  # the same failure, but a different fix before each run
        assert guard.after("bash", {"command": "pytest"}, "1 failed", False) is None
        assert guard.after("write_file", {"path": "app.py", "content": fix}, "Wrote 1 line", True) is None
    again = guards.RepetitionGuard()
    for _ in range(2):  # the same content written again is no change
        again.after("write_file", {"path": "app.py", "content": "same"}, "Wrote 1 line", True)
        assert again.after("bash", {"command": "pytest"}, "1 failed", False) is None
    assert again.after("bash", {"command": "pytest"}, "1 failed", False) is not None


def test_repeats_spread_beyond_the_window_are_fine():
    guard = guards.RepetitionGuard()
    for i in range(30):  # the same call every 5th call: never 3 times within 10
        assert guard.after("bash", {"command": "pytest"}, "ok", True) is None
        for j in range(4):
            assert guard.after("read_file", {"path": f"{i}-{j}.py"}, "x", True) is None


def test_the_guard_survives_a_checkpoint():
    guard = guards.RepetitionGuard()
    guard.after("write_file", {"path": "a", "content": "1"}, "Wrote", True)
    guard.after("bash", {"command": "ls"}, "a", True)
    guard.after("bash", {"command": "ls"}, "a", True)
    restored = guards.RepetitionGuard.from_json(guard.to_json())
    assert restored.generation == 1 and restored.after("bash", {"command": "ls"}, "a", True) is not None
    old = guards.RepetitionGuard.from_json(["bash:0123"])  # a checkpoint from before results counted
    assert old.after("bash", {"command": "ls"}, "a", True) is None


def test_the_iteration_cap():
    assert not guards.over_cap(4, 5) and guards.over_cap(5, 5) and not guards.over_cap(10_000, 0)


def test_long_results_keep_their_head_and_tail():
    lines = [f"line {i:05d} " + "x" * 40 for i in range(2000)]
    text = "\n".join(lines)
    cut = guards.truncate_result(text)
    assert cut.startswith("line 00000") and cut.endswith(lines[-1])
    assert guards.estimate_tokens(cut) < 1100
    omitted = int(cut.split("[", 1)[1].split(" lines omitted]")[0])
    assert 1900 < omitted < 2000
    assert guards.truncate_result("short") == "short"
