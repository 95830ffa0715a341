"""Answers kept for as long as the data they were computed from stays the same."""

from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class GenerationCache(Generic[K, V]):
    """Values of one generation of the data, at most ``entries`` of them, the least recently
    used dropped first. Process-local; the event loop is its only user.

    A generation is a number that grows whenever the data may have changed. The cache holds
    the newest it has been given: a newer one empties it; an older one (a request that read the
    generation before a write committed) finds and keeps nothing. Read the generation before
    computing a value: the value is then at least as new as its generation.
    """

    def __init__(self, entries: int) -> None:
        if entries < 1:
            raise ValueError("a cache holds at least one entry")
        self._entries = entries
        self._generation: int | None = None
        self._values: OrderedDict[K, V] = OrderedDict()

    def __len__(self) -> int:
        return len(self._values)

    def get(self, generation: int, key: K) -> V | None:
        if not self._current(generation):
            return None
        found = self._values.get(key)
        if found is not None:
            self._values.move_to_end(key)
        return found

    def put(self, generation: int, key: K, value: V) -> None:
        if not self._current(generation):
            return
        self._values[key] = value
        self._values.move_to_end(key)
        if len(self._values) > self._entries:
            self._values.popitem(last=False)

    def _current(self, generation: int) -> bool:
        if self._generation is None or generation > self._generation:
            self._generation = generation
            self._values.clear()
        return generation == self._generation
