"""Keep secrets that arrive in a URL out of the access log: query values whose name says token,
secret, password, key, code or signature (e.g. Meta's ``hub.verify_token``) are logged as ``***``."""

from __future__ import annotations

import logging
import re

_SECRET_PARAM = re.compile(r"(?i)([?&][^=&\s]*(?:token|secret|password|passwd|key|code|signature)[^=&\s]*=)[^&\s\"]*")


def scrub_url(text: str) -> str:
    return _SECRET_PARAM.sub(r"\1***", text)


class QuerySecretFilter(logging.Filter):
    """For uvicorn's access log: its record args hold the request path with the query string."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(scrub_url(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.msg, str):
            record.msg = scrub_url(record.msg)
        return True


def install() -> None:
    """Add the filter to uvicorn's access logger (once)."""
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, QuerySecretFilter) for f in access.filters):
        access.addFilter(QuerySecretFilter())
