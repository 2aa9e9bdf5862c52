"""A map from fixed-width byte strings to non-negative integers, packed into flat arrays.

``verify`` must remember something for every object and every record in the log: the
first position that references each object, and where each record was recorded. A
``dict`` of 33-byte ``bytes`` to ``int`` costs about 160 bytes an item (the key and
value objects and the dict's own slot); at 200,000 messages (about 540,000 objects)
that alone is about 84 MiB. :class:`PackedIndex` keeps each item as its key's bytes and
an 8-byte integer in open-addressed arrays kept between half and three quarters
full: 55-85 bytes an item for a 33-byte key.

Slots are found from Python's ``hash`` of the key, which is keyed per process, so
whoever wrote the log cannot choose keys that all land in one slot and make the
probing quadratic. The table is split into shards that grow one at a time, so
growing never holds two copies of the whole table.
"""

from __future__ import annotations

from array import array

_SHARD_BITS = 6
_SHARDS = 1 << _SHARD_BITS
_FIRST_CAPACITY = 8  # slots per shard at the start
_EMPTY = -1


class PackedIndex:
    """Fixed-width byte strings to integers ``>= 0``; items are never removed.

    A key of any other width is refused with ``ValueError``, as is a negative value.
    """

    __slots__ = ("_counts", "_keys", "_length", "_values", "_width")

    def __init__(self, width: int) -> None:
        if width < 1:
            raise ValueError(f"a key must be at least one byte wide, not {width}")
        self._width = width
        self._keys = [bytearray(width * _FIRST_CAPACITY) for _ in range(_SHARDS)]
        self._values = [array("q", [_EMPTY]) * _FIRST_CAPACITY for _ in range(_SHARDS)]
        self._counts = [0] * _SHARDS
        self._length = 0

    def __len__(self) -> int:
        return self._length

    def __contains__(self, key: bytes) -> bool:
        return self.get(key) is not None

    def get(self, key: bytes) -> int | None:
        """The value kept for ``key``; None if it has none."""
        shard, slot = self._find(key)
        value = self._values[shard][slot]
        return None if value == _EMPTY else value

    def setdefault(self, key: bytes, value: int) -> int:
        """Keep ``value`` for ``key`` unless it has one already; the value kept."""
        if value < 0:
            raise ValueError(f"values must be zero or more, not {value}")
        shard, slot = self._find(key)
        values = self._values[shard]
        if values[slot] != _EMPTY:
            return values[slot]
        if (self._counts[shard] + 1) * 4 > len(values) * 3:
            self._grow(shard)
            shard, slot = self._find(key)
            values = self._values[shard]
        width = self._width
        self._keys[shard][slot * width : (slot + 1) * width] = key
        values[slot] = value
        self._counts[shard] += 1
        self._length += 1
        return value

    def _find(self, key: bytes) -> tuple[int, int]:
        """The shard and slot that hold ``key``, or the empty slot it would take."""
        width = self._width
        if len(key) != width:
            raise ValueError(f"a key must be {width} bytes wide, not {len(key)}")
        hashed = hash(key)
        shard = hashed & (_SHARDS - 1)
        keys, values = self._keys[shard], self._values[shard]
        capacity = len(values)
        slot = (hashed >> _SHARD_BITS) % capacity
        while values[slot] != _EMPTY and keys[slot * width : (slot + 1) * width] != key:
            slot = (slot + 1) % capacity
        return shard, slot

    def _grow(self, shard: int) -> None:
        """Give one shard half as many slots again and place its items again (by half,
        not double, so that a shard is never less than half full)."""
        width = self._width
        old_keys, old_values = self._keys[shard], self._values[shard]
        capacity = len(old_values) * 3 // 2
        keys = bytearray(width * capacity)
        values = array("q", [_EMPTY]) * capacity
        for old_slot, value in enumerate(old_values):
            if value == _EMPTY:
                continue
            key = bytes(old_keys[old_slot * width : (old_slot + 1) * width])
            slot = (hash(key) >> _SHARD_BITS) % capacity
            while values[slot] != _EMPTY:
                slot = (slot + 1) % capacity
            keys[slot * width : (slot + 1) * width] = key
            values[slot] = value
        self._keys[shard], self._values[shard] = keys, values
