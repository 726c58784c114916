"""The language of an API answer's error ``detail``: the client's ``Accept-Language`` (the phone and the web
UI send their language), else the server's language setting. A route raises :func:`api_error` with the English and the German
line, or passes a :class:`storage.bilingual.Bilingual` error on as the detail; the app's error handler says
it in the request's language (:func:`detail_text`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request

from agents.i18n import Language, resolve_language
from storage.bilingual import Bilingual, said


def accepted_language(header: str | None) -> Language | None:
    """The language of an ``Accept-Language`` value we speak with the highest weight ("de-DE,de;q=0.9,en;q=0.8"
    -> "de"; "fr, de;q=0.5" -> "de"; "en;q=0.2, de;q=0.8" -> "de"); None when it names neither ("*", "fr")."""
    best: tuple[float, int, Language] | None = None
    for i, part in enumerate((header or "").split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        code = tag.strip().split("-")[0].split("_")[0].lower()
        if code not in ("de", "en"):
            continue
        weight = 1.0
        for p in params.split(";"):
            name, _, value = p.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if weight <= 0:
            continue
        lang: Language = "de" if code == "de" else "en"
        if best is None or (weight, -i) > (best[0], best[1]):
            best = (weight, -i, lang)
    return best[2] if best else None


def request_language(request: Request) -> Language:
    """The client's language; without one we speak, the server's own (its language setting)."""
    asked = accepted_language(request.headers.get("accept-language"))
    if asked is not None:
        return asked
    server = getattr(request.app.state, "server", None)
    return resolve_language(server.services.settings.language) if server is not None else "en"


Lang = Annotated[Language, Depends(request_language)]


def api_error(status: int, en: str, de: str, headers: dict[str, str] | None = None) -> HTTPException:
    """An HTTP error whose detail is said in the request's language."""
    return HTTPException(status, Bilingual(en, de=de), headers=headers)


def detail_text(detail: object, lang: Language) -> str:
    """An HTTPException's detail as the client reads it: a bilingual error in ``lang``, anything else as text."""
    if isinstance(detail, BaseException):
        return said(detail, lang)
    return str(detail)
