"""The operating system's usual errors reach a CLI line in the CLI's language (app/cli/common.py: ``os_reason``,
``said_line``, ``user_error``): German words for a missing file, a refused permission, a full disk ...; the
system's own words in English and for the rest."""

from __future__ import annotations

import errno
import ssl

import pytest

from app.cli import common
from app.cli.common import said_line, user_error
from storage.bilingual import Bilingual

pytestmark = pytest.mark.unit


@pytest.fixture
def german(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PA_LANGUAGE", "de")
    common.reset()


def test_os_errors_in_german(german: None) -> None:
    missing = FileNotFoundError(errno.ENOENT, "No such file or directory", "/x/y.wav")
    assert said_line(missing) == "/x/y.wav: Datei oder Ordner nicht gefunden"
    assert user_error(PermissionError(errno.EACCES, "Permission denied", "/root/z")) == (
        "/root/z: Zugriff verweigert", 1)
    assert said_line(OSError(errno.ENOSPC, "No space left on device")) == "kein Platz mehr auf dem Gerät"
    # not ours to word: an unusual errno, a TLS error (its errno is the library's), a bilingual error's own German
    assert said_line(OSError(errno.EL2HLT, "Level 2 halted")) == "[Errno 51] Level 2 halted"
    tls = ssl.SSLError(1, "[SSL: NO_START_LINE] no start line")
    assert said_line(tls) == str(tls)
    assert said_line(Bilingual("no account named 'x'", de="kein Konto namens 'x'")) == "kein Konto namens 'x'"


def test_os_errors_in_english_are_the_systems_words(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PA_LANGUAGE", "en")
    common.reset()
    missing = FileNotFoundError(errno.ENOENT, "No such file or directory", "/x/y.wav")
    assert said_line(missing) == str(missing)
    assert user_error(missing) == ("/x/y.wav: No such file or directory", 1)
