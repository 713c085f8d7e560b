"""The dated price table and cost arithmetic, in microdollars (1 USD = 1,000,000).

Prices are per million tokens. Cache writes (5-minute) cost 1.25x the input price and cache reads
0.1x; output has its own price per model. Unknown models are priced as the most expensive known
one, so a typo never makes work look free.
"""

from __future__ import annotations

from dataclasses import dataclass

from agent.services.llm import Usage

CACHE_WRITE_MULTIPLIER = 1.25
CACHE_READ_MULTIPLIER = 0.10


@dataclass(frozen=True)
class ModelPrice:
    input_per_mtok: float  # USD per million input tokens
    output_per_mtok: float


@dataclass(frozen=True)
class PriceRow:
    """A model's list price from `since` (ISO date) until a later row for the same model."""
    model: str
    since: str
    price: ModelPrice


PRICE_ROWS: tuple[PriceRow, ...] = (
    PriceRow("claude-sonnet-4-5", "2025-09-29", ModelPrice(3.00, 15.00)),
    PriceRow("claude-haiku-4-5", "2025-10-15", ModelPrice(1.00, 5.00)),
    PriceRow("claude-opus-4-1", "2025-08-05", ModelPrice(15.00, 75.00)),
    PriceRow("claude-opus-4-5", "2025-11-24", ModelPrice(5.00, 25.00)),
    PriceRow("offline", "2025-01-01", ModelPrice(0.0, 0.0)),
)
PRICES_AS_OF = max(row.since for row in PRICE_ROWS)


def prices(on: str | None = None) -> dict[str, ModelPrice]:
    """Each model's price on a day (ISO date; the latest rows when None)."""
    table: dict[str, PriceRow] = {}
    for row in sorted(PRICE_ROWS, key=lambda r: r.since):
        if on is None or row.since <= on:
            table[row.model] = row
    return {model: row.price for model, row in table.items()}


PRICES = prices()
_FALLBACK = max(PRICES.values(), key=lambda p: p.output_per_mtok)


def price_of(model: str) -> ModelPrice:
    if model in PRICES:
        return PRICES[model]
    for name, price in sorted(PRICES.items(), key=lambda item: -len(item[0])):  # dated ids: ...-4-5-20250929
        if model.startswith(name):
            return price
    return _FALLBACK


def cost_micros(model: str, usage: Usage) -> int:
    price = price_of(model)
    dollars = (
        usage.input_tokens * price.input_per_mtok
        + usage.cache_write_tokens * price.input_per_mtok * CACHE_WRITE_MULTIPLIER
        + usage.cache_read_tokens * price.input_per_mtok * CACHE_READ_MULTIPLIER
        + usage.output_tokens * price.output_per_mtok
    ) / 1_000_000
    return round(dollars * 1_000_000)


def caching_saved_micros(model: str, usage: Usage) -> int:
    """What prompt caching saved on one call: its prompt priced as plain input, minus what it cost."""
    uncached = Usage(input_tokens=usage.input_tokens + usage.cache_write_tokens + usage.cache_read_tokens,
                     output_tokens=usage.output_tokens)
    return cost_micros(model, uncached) - cost_micros(model, usage)


def dollars(micros: int) -> str:
    """A founder-readable amount: $0.42, $12.30, under a cent shown as <$0.01."""
    if 0 < micros < 5_000:
        return "<$0.01"
    return f"${micros / 1_000_000:,.2f}"
