"""A local file is read for the sealed format through mappings of several blocks each
(``storage.blocks.MappedBlocks``): the blocks are the file's bytes across window borders, a window is
unmapped once its blocks were released, and a sealed object read through small windows round-trips and
still refuses a changed one without handing out anything of a failed segment (issue 17)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from storage import blocks
from storage.blocks import MappedBlocks
from storage.datakeys import DataKeys
from storage.encrypted import SealedBackend
from storage.errors import IntegrityError
from storage.local import LocalBackend
from storage.sealed import SEGMENT, TAG

pytestmark = pytest.mark.unit


def _mappings_of(path: Path) -> int:
    return sum(1 for line in Path("/proc/self/maps").read_text().splitlines() if line.endswith(str(path)))


def test_blocks_cross_window_borders_and_windows_are_unmapped(tmp_path: Path) -> None:
    path = tmp_path / "f.bin"
    data = os.urandom(23_456)
    path.write_bytes(data)
    got = bytearray()
    most = 0
    with open(path, "rb") as fh:
        mb = MappedBlocks(fh.fileno(), 37, 1000, window=3000)
        held = mb.next()
        while held:
            following = mb.next()  # a reader holds a block and the one after it
            got += held
            mb.release(held)
            most = max(most, _mappings_of(path))
            held = following
        mb.close()
        assert _mappings_of(path) == 0
    assert bytes(got) == data[37:]
    assert most <= 2  # the window in use and the next one, never one per block


@pytest.mark.parametrize("how", ["none", "bit_flip", "reordered"])
def test_a_sealed_object_read_through_small_windows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    how: str) -> None:
    monkeypatch.setattr(blocks, "WINDOW", 2 * SEGMENT)
    b = SealedBackend(LocalBackend(tmp_path), DataKeys.create("kek-test"))
    data = os.urandom(5 * SEGMENT + 99)
    b.save("x", data)
    path = tmp_path / "x"
    raw = path.read_bytes()
    hdr = len(raw) - 5 * (SEGMENT + TAG) - (99 + TAG)
    seg = [raw[hdr + i * (SEGMENT + TAG) : hdr + (i + 1) * (SEGMENT + TAG)] for i in range(5)]
    if how == "bit_flip":  # in the fourth segment, inside the second window
        at = hdr + 3 * (SEGMENT + TAG) + 5
        path.write_bytes(raw[:at] + bytes([raw[at] ^ 1]) + raw[at + 1 :])
    elif how == "reordered":
        path.write_bytes(raw[:hdr] + seg[0] + seg[1] + seg[3] + seg[2] + seg[4] + raw[hdr + 5 * (SEGMENT + TAG) :])
    got = bytearray()
    with b.open_read("x") as r:
        if how == "none":
            while buf := r.read(SEGMENT):
                got += buf
            assert bytes(got) == data
            return
        with pytest.raises(IntegrityError):
            while buf := r.read(SEGMENT):
                got += buf
    assert bytes(got) == data[: len(got)] and len(got) in (2 * SEGMENT, 3 * SEGMENT)  # verified segments only
    assert _mappings_of(path) == 0
