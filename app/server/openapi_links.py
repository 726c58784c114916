"""OpenAPI links of the home server's API: which value of one response feeds which later request
(a new meeting's id -> its detail, export and recording; a pairing code -> its claim -> the new device's
sign-out; a refresh token -> the next refresh ...). Clients can follow them, and the stateful fuzzing
(tests/server/test_schema.py) walks these chains against the live server."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

API = "/api/v1"


@dataclass(frozen=True)
class Link:
    name: str
    source: tuple[str, str, int]  # method, path, status of the response the values come from
    target: tuple[str, str]  # method, path of the operation they go into
    parameters: dict[str, str] = field(default_factory=dict)
    request_body: dict[str, str] | None = None
    description: str = ""


def _meeting_links(method: str, path: str, status: int, pointer: str) -> list[Link]:
    return [Link(what, (method, path, status), ("get", f"{API}/meetings/{{meeting_id}}{suffix}"),
                 {"path.meeting_id": f"$response.body#{pointer}"}, description=f"the meeting's {what.lower()}")
            for what, suffix in (("Detail", ""), ("Export", "/export"), ("Recording", "/recording"))]


def _approval_links(method: str, path: str, pointer: str) -> list[Link]:
    return [Link(verb.capitalize(), (method, path, 200), ("post", f"{API}/approvals/{{approval_id}}/{verb}"),
                 {"path.approval_id": f"$response.body#{pointer}"}, description=f"{verb} the action")
            for verb in ("approve", "deny")]


def _token_links(method: str, path: str) -> list[Link]:
    return [Link("Refresh", (method, path, 200), ("post", f"{API}/auth/refresh"),
                 request_body={"refresh_token": "$response.body#/refresh_token"},
                 description="trade the refresh token for a new pair"),
            Link("SignOutDevice", (method, path, 200), ("delete", f"{API}/devices/{{device_id}}"),
                 {"path.device_id": "$response.body#/device_id"}, description="sign the new device out")]


LINKS: list[Link] = [
    *_token_links("post", f"{API}/auth/login"),
    *_token_links("post", f"{API}/auth/refresh"),
    *_token_links("post", f"{API}/pairing/claim"),
    Link("Claim", ("post", f"{API}/pairing/codes", 201), ("post", f"{API}/pairing/claim"),
         request_body={"code": "$response.body#/code", "device_name": "paired phone"},
         description="sign a new device in with the code"),
    *_meeting_links("post", f"{API}/meetings", 202, ""),
    *_meeting_links("get", f"{API}/meetings", 200, "/0"),
    *_approval_links("get", f"{API}/approvals", "/0/id"),
    *_approval_links("post", f"{API}/turns/text", "/approval/id"),
    Link("Audio", ("post", f"{API}/speech", 201), ("get", f"{API}/audio/{{audio_id}}"),
         {"path.audio_id": "$response.body#/id"}, description="download the spoken text"),
    Link("ReplyAudio", ("post", f"{API}/turns/audio", 200), ("get", f"{API}/audio/{{audio_id}}"),
         {"path.audio_id": "$response.body#/audio/id"}, description="download the spoken reply"),
]


def add_links(schema: dict[str, Any]) -> None:
    """Put LINKS into a generated schema (by operationId); a link whose ends are missing is left out."""
    paths = schema.get("paths", {})
    for link in LINKS:
        method, path, status = link.source
        target = paths.get(link.target[1], {}).get(link.target[0])
        response = paths.get(path, {}).get(method, {}).get("responses", {}).get(str(status))
        if target is None or response is None:
            continue
        entry: dict[str, Any] = {"operationId": target["operationId"], "description": link.description}
        if link.parameters:
            entry["parameters"] = dict(link.parameters)
        if link.request_body is not None:
            entry["requestBody"] = dict(link.request_body)
        response.setdefault("links", {})[link.name] = entry
