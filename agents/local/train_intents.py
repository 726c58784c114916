"""Train the intent classifier and save it next to the code: ``python -m agents.local.train_intents``
(after changing a template or ``intent_examples.json``; a unit test says when it is due)."""

from __future__ import annotations

from agents.local.classifier import SAVED, save, train_default
from agents.local.corpus import fingerprint


def main() -> None:
    m = train_default()
    save(m, SAVED, fingerprint())
    print(f"{m.examples} examples, {len(m.columns)} features, {len(m.classes)} classes, "
          f"trained in {m.trained_in_s:.1f} s -> {SAVED}")


if __name__ == "__main__":
    main()
