"""What the screen shows when the bank asks for a TAN (``TanChallenge``), from a transfer step.

- photoTAN / QR-TAN: the bank's image (python-fints hands it over as ``challenge_matrix``), shown to be
  scanned with the banking app;
- chipTAN optical (HHD 1.4, "Flickercode"): the bank's HHD code made a flicker stream with python-fints'
  own encoder (``fints.hhd.flicker.code_to_bitstream``), which the screen plays for the TAN generator;
  a code it cannot encode is shown as it is, for typing into the generator;
- chipTAN manual and the rest: the bank's text (it holds the start code)."""

from __future__ import annotations

import base64
import logging
from typing import Any

from fints.hhd.flicker import code_to_bitstream

from agents.replies import TanChallenge

log = logging.getLogger(__name__)


def flicker_frames(code: str) -> list[str]:
    """The frames of a chipTAN flicker code (five bars each: clock and four data bits); [] if the code is
    not one the encoder knows."""
    try:
        return list(code_to_bitstream(code))
    except (ValueError, IndexError, KeyError) as exc:
        log.info("a chipTAN code that is no flicker code: %s", type(exc).__name__)
        return []


def challenge_of(step: Any) -> TanChallenge:
    """The challenge of a ``TransferStep`` waiting for a TAN."""
    image = getattr(step, "challenge_image", None)
    code = getattr(step, "challenge_hhduc", None) or None
    frames = flicker_frames(code) if code else []
    return TanChallenge(transfer_id=step.transfer_id, text=step.challenge or "",
                        image_type=(getattr(step, "challenge_image_type", None) or "image/png") if image else None,
                        image_b64=base64.b64encode(image).decode("ascii") if image else None,
                        flicker=frames, code=code if code and not frames else None)
