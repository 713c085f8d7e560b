from agent import guards


def test_the_same_call_three_times_in_ten_halts():
    guard = guards.RepetitionGuard()
    call = ("bash", {"command": "pytest", "timeout": 60})
    assert guard.seen(*call) is None
    assert guard.seen("read_file", {"path": "a.py"}) is None
    assert guard.seen("bash", {"timeout": 60, "command": "pytest"}) is None  # key order does not matter
    signature = guard.seen(*call)
    assert signature == guards.call_signature(*call) and signature.startswith("bash:")


def test_repeats_spread_beyond_the_window_are_fine():
    guard = guards.RepetitionGuard()
    for i in range(30):  # the same call every 5th call: never 3 times within 10
        assert guard.seen("bash", {"command": "pytest"}) is None
        for j in range(4):
            assert guard.seen("read_file", {"path": f"{i}-{j}.py"}) is None


def test_the_guard_survives_a_checkpoint():
    guard = guards.RepetitionGuard()
    guard.seen("bash", {"command": "ls"})
    guard.seen("bash", {"command": "ls"})
    restored = guards.RepetitionGuard.from_json(guard.to_json())
    assert restored.seen("bash", {"command": "ls"}) is not None


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
