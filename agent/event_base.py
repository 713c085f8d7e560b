"""The base of every event: the frozen keyword-only dataclass and the registry of event types
(`agent/events.py` and `agent/build_events.py` define the events; `events.decode` reads them)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

_REGISTRY: dict[str, type[Event]] = {}


@dataclass(frozen=True, kw_only=True)
class Event:
    type: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.type:
            if cls.type in _REGISTRY:
                raise TypeError(f"event type {cls.type!r} is registered twice")
            _REGISTRY[cls.type] = cls

    @property
    def summary(self) -> str:
        raise NotImplementedError
