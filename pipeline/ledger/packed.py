"""A map from fixed-width byte strings to non-negative integers, packed into flat arrays.

``verify`` must remember something for every object and every record in the log: the
first position that references each object, and where each record was recorded. A
``dict`` of 33-byte ``bytes`` to ``int`` costs 110-160 bytes an item (the key object,
the dict's own slot, and the value object unless entries share it); at 200,000
messages (about 540,000 objects) that is 60-85 MiB. :class:`PackedIndex` keeps each
item as its key's bytes and an 8-byte integer in open-addressed arrays kept between
half and three quarters full once past their first few items: 55-85 bytes an item for
a 33-byte key. A lookup costs
about 1 microsecond, an insert about 3 (a dict's: a quarter of one): about 1.5 s more
over those 540,000 objects.

Slots are found from Python's ``hash`` of the key with a random salt of each index's
own in front, so whoever wrote the log cannot choose keys that land in one slot and
make the probing quadratic, even where the interpreter's hash seed is fixed. The
table is split into shards that grow one at a time, so growing never holds two copies
of the whole table.
"""

from __future__ import annotations

import os
from array import array

_SHARD_BITS = 6
_SHARDS = 1 << _SHARD_BITS
_FIRST_CAPACITY = 8  # slots per shard at the start
_EMPTY = -1
_SALT = 16  # bytes


class PackedIndex:
    """Fixed-width byte strings to integers from 0 to ``2**63 - 1``; items are never
    removed.

    A key of any other width is refused with ``ValueError``, as is a negative value.
    Not to be pickled: slots depend on this process's hash seed and the salt.
    """

    __slots__ = ("_counts", "_keys", "_length", "_salt", "_values", "_width")

    def __init__(self, width: int) -> None:
        if width < 1:
            raise ValueError(f"a key must be at least one byte wide, not {width}")
        self._width = width
        self._salt = os.urandom(_SALT)
        self._keys = [bytearray(width * _FIRST_CAPACITY) for _ in range(_SHARDS)]
        self._values = [array("q", [_EMPTY]) * _FIRST_CAPACITY for _ in range(_SHARDS)]
        self._counts = [0] * _SHARDS
        self._length = 0

    def __len__(self) -> int:
        return self._length

    def __reduce__(self) -> str | tuple[object, ...]:
        raise TypeError("a PackedIndex's slots hold only in the process that filled it")

    def get(self, key: bytes) -> int | None:
        """The value kept for ``key``; None if it has none."""
        shard, slot = self._find(key)
        value = self._values[shard][slot]
        return None if value == _EMPTY else value

    def add(self, key: bytes, value: int) -> bool:
        """Keep ``value`` for ``key`` unless it has one already; True if it was kept."""
        if value < 0:
            raise ValueError(f"values must be zero or more, not {value}")
        shard, slot = self._find(key)
        values = self._values[shard]
        if values[slot] != _EMPTY:
            return False
        if (self._counts[shard] + 1) * 4 > len(values) * 3:
            self._grow(shard)
            shard, slot = self._find(key)
            values = self._values[shard]
        width = self._width
        self._keys[shard][slot * width : (slot + 1) * width] = key
        values[slot] = value
        self._counts[shard] += 1
        self._length += 1
        return True

    def _find(self, key: bytes) -> tuple[int, int]:
        """The shard and slot that hold ``key``, or the empty slot it would take."""
        width = self._width
        if len(key) != width:
            raise ValueError(f"a key must be {width} bytes wide, not {len(key)}")
        hashed = hash(self._salt + key)
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
            slot = (hash(self._salt + key) >> _SHARD_BITS) % capacity
            while values[slot] != _EMPTY:
                slot = (slot + 1) % capacity
            keys[slot * width : (slot + 1) * width] = key
            values[slot] = value
        self._keys[shard], self._values[shard] = keys, values
