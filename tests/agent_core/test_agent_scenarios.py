"""Each trajectory real agents produce (tests/support/agent_scenarios.py), once, ends in the right
state; bench/agent_scenarios.py plays them many times for the pass rate and the cost."""

import pytest

from tests.support.agent_scenarios import SCENARIOS, holds, play


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
async def test_the_trajectory_ends_in_the_right_state(scenario, db, redis, planned, tmp_path):
    _, project = planned
    result = await play(scenario, db=db, redis=redis, project=project, tmp_path=tmp_path)
    assert holds(scenario, result), result
