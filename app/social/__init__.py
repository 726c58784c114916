"""Social media as an app feature: the Social screen's data (``source``: the local hub or the home server's
API) and its compose preview (``compose``: the parts per network with their grapheme counts, no Flet)."""
