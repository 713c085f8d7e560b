from agent.offline import OfflineCoFounder
from tests.services.contracts import llm_contract


async def test_the_offline_co_founder_passes_the_llm_contract():
    await llm_contract(OfflineCoFounder())
