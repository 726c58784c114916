"""Key validation: traversal, absolute paths and odd characters never reach a backend."""

from __future__ import annotations

import pytest

from storage.errors import InvalidKeyError
from storage.keys import join_root, normalize_key, normalize_prefix

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("raw", "norm"),
    [("a/b.txt", "a/b.txt"), ("a\\b\\c.opus", "a/b/c.opus"), ("./a//b", "a/b"), ("a/./b/", "a/b"),
     ("Meeting 2024-05-01/rec 1.opus", "Meeting 2024-05-01/rec 1.opus"), ("ä/ß.wav", "ä/ß.wav")],
)
def test_normalize(raw: str, norm: str) -> None:
    assert normalize_key(raw) == norm


@pytest.mark.parametrize(
    "bad",
    ["", ".", "/", "/etc/passwd", "\\\\nas\\share\\x", "C:\\Windows", "c:x", "..", "../a", "a/../../b",
     "a/..", "a\\..\\..\\b", "a\x00b", "a\nb", "a/b:c", "a/ b", "a/b ", "a/b.", "a|b", "x" * 1025,
     "rec.wav.pa-part"],
)
def test_refused(bad: str) -> None:
    with pytest.raises(InvalidKeyError):
        normalize_key(bad)


def test_not_a_string() -> None:
    with pytest.raises(InvalidKeyError, match="must be a string"):
        normalize_key(b"a/b")  # type: ignore[arg-type]


def test_prefix_rules() -> None:
    assert normalize_prefix("") == ""
    assert normalize_prefix("2024/") == "2024/"
    assert normalize_prefix("2024\\01") == "2024/01"
    with pytest.raises(InvalidKeyError):
        normalize_prefix("../")
    assert join_root("root/sub", "a/b") == "root/sub/a/b"
    assert join_root("", "a") == "a"
