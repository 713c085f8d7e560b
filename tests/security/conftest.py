"""Fixtures the security tests share with the agent-core tests."""

from tests.agent_core.conftest import planned  # noqa: F401  (a planned project, ready to build)
