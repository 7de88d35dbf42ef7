"""Stations grouped into a fixed number of ingest shards.

The workflow ingests and validates the stations shard by shard: one job per shard, not per
station, so a province of stations is a few dozen jobs, and recoding one station reruns its
shard and what reads the pooled tables. A station's shard follows from its id alone, through a
hash that is the same on every machine and in every run (not Python's salted ``hash``), so adding
a station moves no other station to another shard. The count is ``ingest.shards`` in the
configuration (its schema gives the default).
"""

from __future__ import annotations

import hashlib

def shard_of(case: str, shards: int) -> str:
    """The shard that holds a station, as a zero-padded number of as many digits as the largest.

    >>> shard_of("S01", 16), shard_of("S01", 16) == shard_of("S01", 16), shard_of("S01", 1)
    ('13', True, '0')
    """
    number = int.from_bytes(hashlib.sha256(case.encode("utf-8")).digest()[:8], "big") % shards
    return f"{number:0{len(str(shards - 1))}d}"


def shard_members(cases: list[str], shards: int) -> dict[str, list[str]]:
    """The stations of each shard that holds any, in the order ``cases`` gives them; shards in order.

    >>> members = shard_members([f"S{n:02d}" for n in range(1, 16)], 4)
    >>> sorted(c for cs in members.values() for c in cs) == [f"S{n:02d}" for n in range(1, 16)]
    True
    """
    members: dict[str, list[str]] = {}
    for case in cases:
        members.setdefault(shard_of(case, shards), []).append(case)
    return dict(sorted(members.items()))
