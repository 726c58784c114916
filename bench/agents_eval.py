"""Benchmark: the real-model eval of the agents (tests/agents/eval_cases.py, ~90 cases EN+DE) against an
OpenAI-compatible model, the assistant's services on real servers started here (Dovecot + SMTP sink,
Radicale, the WhatsApp API stand-in, the meeting store). Prints one JSON object (rates, latency p50/p95,
tokens, per domain and language, the commonest failure kinds, os.getloadavg()).

Run:  .venv/bin/python bench/agents_eval.py                       # the local llama-server (../llm)
      .venv/bin/python bench/agents_eval.py --url http://host:8080/v1 --model NAME
      .venv/bin/python bench/agents_eval.py --cases m-,c-lunch-en --save   # a subset; per-case results
      .venv/bin/python bench/agents_eval.py --set heldout   # the held-apart cases (never tuned on); --set all: both
The model: --url (or AGENTS_TEST_LLM_URL; --model / AGENTS_TEST_LLM_MODEL, key AGENTS_TEST_LLM_KEY), else
llama-server from --llm-dir (PA_LOCAL_LLM_DIR, default ../llm beside the repo) with the chat template
../shared/llm/qwen25-barejson-v3.jinja (PA_LLM_CHAT_TEMPLATE)."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.agents.eval_cases import CASES  # noqa: E402
from tests.agents.eval_cases_heldout import HELDOUT as HELDOUT_FIRST  # noqa: E402
from tests.agents.eval_cases_heldout_money import MONEY_HELDOUT  # noqa: E402
from tests.agents.eval_harness import (  # noqa: E402
    DEADLINE_S,
    MODEL_TIMEOUT_S,
    CaseResult,
    Servers,
    chat_template,
    find_local_llm,
    local_llm_server,
    model_factory,
    report,
    run_all,
    write_results,
)
from tests.servers.base import stop_process_group  # noqa: E402
from tests.servers.dovecot import dovecot_server  # noqa: E402
from tests.servers.fints_bank import fints_bank_server  # noqa: E402
from tests.servers.mastodon import start_mastodon  # noqa: E402
from tests.servers.radicale import radicale_server  # noqa: E402
from tests.servers.smtp import smtp_server  # noqa: E402
from tests.servers.whatsapp import whatsapp_server  # noqa: E402

HELDOUT = HELDOUT_FIRST + MONEY_HELDOUT  # the held-apart cases: the first set and the finance/social ones


@contextlib.contextmanager
def servers() -> Iterator[Servers]:
    """The pytest session fixtures' servers, started outside pytest (their messages go to stderr)."""
    with contextlib.ExitStack() as stack, contextlib.redirect_stdout(sys.stderr):
        dv = stack.enter_context(contextlib.contextmanager(dovecot_server.__wrapped__)())  # type: ignore[attr-defined]
        smtp = stack.enter_context(contextlib.contextmanager(smtp_server.__wrapped__)(dv))  # type: ignore[attr-defined]
        rad = stack.enter_context(contextlib.contextmanager(radicale_server.__wrapped__)())  # type: ignore[attr-defined]
        wa = stack.enter_context(contextlib.contextmanager(whatsapp_server.__wrapped__)())  # type: ignore[attr-defined]
        bank = stack.enter_context(contextlib.contextmanager(fints_bank_server.__wrapped__)())  # type: ignore[attr-defined]
        mastodon = start_mastodon(Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="pa-mastodon-"))))
        stack.callback(stop_process_group, mastodon.proc)
        audio = ROOT.parent / "shared" / "audio"
        yield Servers(dovecot=dv, smtp=smtp, radicale=rad, whatsapp=wa, audio=audio if audio.is_dir() else None,
                      bank=bank, mastodon=mastodon)


@contextlib.contextmanager
def model_url(args: argparse.Namespace) -> Iterator[tuple[str, str]]:
    if args.url:
        yield args.url, args.model or "default"
        return
    found = find_local_llm(Path(args.llm_dir) if args.llm_dir else None)
    if isinstance(found, str):
        sys.exit(found)
    binary, model = found
    print(f"starting {binary.name} with {model.name} ...", file=sys.stderr, flush=True)
    with local_llm_server(binary, model, chat_template()) as url:
        yield url, model.stem


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", default=os.environ.get("AGENTS_TEST_LLM_URL"), help="an OpenAI-compatible /v1 URL")
    ap.add_argument("--model", default=os.environ.get("AGENTS_TEST_LLM_MODEL", ""))
    ap.add_argument("--llm-dir", default=os.environ.get("PA_LOCAL_LLM_DIR"))
    ap.add_argument("--set", choices=("main", "heldout", "all"), default="main",
                    help="the main cases, the held-apart ones (tests/agents/eval_cases_heldout.py) or both")
    ap.add_argument("--cases", default="", help="comma-separated case ids or id prefixes (default: all)")
    ap.add_argument("--deadline", type=float, default=DEADLINE_S, help="seconds per turn (wall time)")
    ap.add_argument("--model-timeout", type=float, default=MODEL_TIMEOUT_S, help="seconds per model run")
    ap.add_argument("--answers", choices=("tools", "model"), default=os.environ.get("PA_LLM_EVAL_ANSWERS", "tools"),
                    help="who words what the tools found (the design compared: agents/worded.py)")
    ap.add_argument("--results", type=Path, help="write the per-case results (JSON) to this file")
    ap.add_argument("--save", action="store_true", help="--results bench/results/agents_eval-<time>.json")
    args = ap.parse_args()
    os.environ["PA_LLM_EVAL_ANSWERS"] = args.answers
    only = [x.strip() for x in args.cases.split(",") if x.strip()]
    pool = {"main": CASES, "heldout": HELDOUT, "all": CASES + HELDOUT}[args.set]
    cases = [c for c in pool if not only or any(c.id == o or c.id.startswith(o) for o in only)]
    if not cases:
        sys.exit(f"no case matches {args.cases}")
    results_path: Path | None = args.results
    if args.save and results_path is None:
        results_path = ROOT / "bench" / "results" / f"agents_eval-{datetime.now():%Y%m%d-%H%M%S}.json"

    def progress(r: CaseResult) -> None:
        what = "ok" if r.correct else "FAIL " + "; ".join(r.unsafe + r.false_claims + r.failures)
        print(f"{r.id}: {what[:200]} ({sum(t.seconds for t in r.turns):.1f} s)", file=sys.stderr, flush=True)

    # Ctrl-C (SIGINT) ends the run after the current case; the cases done are reported, marked interrupted
    # (an interrupt in the middle of a model call would be taken for a model error)
    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: (stop.set(), print("stopping after this case ...", file=sys.stderr)))
    with servers() as srv, model_url(args) as (url, name), tempfile.TemporaryDirectory(prefix="pa-eval-") as tmp:
        t0 = time.monotonic()
        results = run_all(cases, srv, model_factory(url, name, os.environ.get("AGENTS_TEST_LLM_KEY")), Path(tmp),
                          deadline_s=args.deadline, model_timeout_s=args.model_timeout, progress=progress,
                          stop=stop.is_set)
        meta: dict[str, Any] = {"bench": "agents_eval", "model": name, "url": url, "cases_asked": len(cases),
                                "interrupted": len(results) < len(cases), "deadline_s": args.deadline,
                                "model_timeout_s": args.model_timeout, "cpus": os.cpu_count(),
                                "answers": args.answers, "set": args.set}
        summary = report(results, time.monotonic() - t0, meta)
        if args.set == "all":  # each set's figures apart: the held-apart ones are the measure not tuned on
            held = {c.id for c in HELDOUT}
            for name_, part in (("main", [r for r in results if r.id not in held]),
                                ("heldout", [r for r in results if r.id in held])):
                summary[f"set_{name_}"] = report(part, sum(sum(t.seconds for t in r.turns) for r in part),
                                                 {**meta, "set": name_})
    if results_path is not None:
        write_results(results_path, results, summary)
        summary["results_file"] = str(results_path)
    print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
