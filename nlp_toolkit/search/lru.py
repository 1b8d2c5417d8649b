"""A bounded least-recently-used map, for caches that must not grow without limit.

>>> cache: Lru[str, int] = Lru(2)
>>> cache.get_or_make("a", lambda: 1), cache.get_or_make("a", lambda: 2)
(1, 1)
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

__all__ = ["Lru"]

_K = TypeVar("_K")
_V = TypeVar("_V")


class Lru(Generic[_K, _V]):
    """A bounded map that drops the least recently used entry."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[_K, _V] = OrderedDict()

    def get_or_make(self, key: _K, make: Callable[[], _V]) -> _V:
        """The value at ``key``, made with ``make()`` (and kept) when missing."""
        if key in self._items:
            self._items.move_to_end(key)
            return self._items[key]
        value = self._items[key] = make()
        if len(self._items) > self.size:
            self._items.popitem(last=False)
        return value
