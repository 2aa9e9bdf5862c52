"""The packed map ``verify`` keeps per object and per record: a dict's behaviour, in
flat arrays."""

from __future__ import annotations

import hashlib
import pickle
import tracemalloc

import pytest

from pipeline.ledger.packed import PackedIndex


def _key(n: int, width: int = 33) -> bytes:
    return hashlib.sha256(n.to_bytes(8, "big")).digest().rjust(width, b"\x01")[:width]


def test_a_key_never_seen_has_no_value() -> None:
    index = PackedIndex(33)
    index.add(_key(1), 7)

    assert index.get(_key(2)) is None


def test_the_first_value_kept_for_a_key_stays() -> None:
    index = PackedIndex(33)

    assert index.add(_key(1), 7) is True
    assert index.add(_key(1), 3) is False
    assert index.get(_key(1)) == 7
    assert len(index) == 1


def test_every_item_survives_the_shards_growing() -> None:
    index = PackedIndex(33)
    for n in range(20_000):
        index.add(_key(n), n * 3)

    assert len(index) == 20_000
    assert [index.get(_key(n)) for n in range(20_000)] == [n * 3 for n in range(20_000)]
    assert not any(index.add(_key(n), 1) for n in range(20_000))
    assert len(index) == 20_000
    assert index.get(_key(20_000)) is None


def test_keys_that_differ_in_one_byte_are_different_items() -> None:
    index = PackedIndex(4)
    index.add(b"\x00\x00\x00\x00", 0)
    index.add(b"\x00\x00\x00\x01", 1)

    assert index.get(b"\x00\x00\x00\x00") == 0
    assert index.get(b"\x00\x00\x00\x01") == 1
    assert index.get(b"\x01\x00\x00\x00") is None


def test_a_key_of_another_width_is_refused() -> None:
    index = PackedIndex(32)

    with pytest.raises(ValueError, match="32 bytes wide, not 33"):
        index.add(_key(1, 33), 1)
    with pytest.raises(ValueError, match="32 bytes wide, not 31"):
        index.get(_key(1, 31))


def test_a_negative_value_is_refused() -> None:
    with pytest.raises(ValueError, match="zero or more, not -1"):
        PackedIndex(33).add(_key(1), -1)


def test_an_index_is_not_pickled_into_another_process() -> None:
    index = PackedIndex(33)
    index.add(_key(1), 1)

    with pytest.raises(TypeError, match="only in the process that filled it"):
        pickle.dumps(index)


def test_an_item_costs_well_under_what_a_dict_costs() -> None:
    keys = [_key(n) for n in range(50_000)]
    tracemalloc.start()
    try:
        as_dict = {bytes(bytearray(key)): 70_000 + n for n, key in enumerate(keys)}
        dict_bytes, _ = tracemalloc.get_traced_memory()
        del as_dict
        tracemalloc.reset_peak()
        base, _ = tracemalloc.get_traced_memory()
        packed = PackedIndex(33)
        for n, key in enumerate(keys):
            packed.add(key, 70_000 + n)
        packed_bytes = tracemalloc.get_traced_memory()[0] - base
    finally:
        tracemalloc.stop()

    assert packed_bytes < dict_bytes * 0.6
