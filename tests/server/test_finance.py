"""Finance over the API, against a real `personal-agent serve` with a bank account at the fake FinTS
bank: the scheduled sync (1 s after start) fills alice's own ledger and shows its status; bob's
seeded ledger answers the read routes (search, category, dates, paging, spending, budgets,
subscriptions); nobody sees another user's data; sign-in is required; bad parameters are 4xx."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.finance.seed import GIRO, SAVINGS, seed_ledger
from tests.server.live import PASSWORD, Client, LiveServer, as_home, start_server, stop_server
from tests.servers.fints_bank import FintsBank

pytestmark = [pytest.mark.integration]
PRODUCT = "9FA6681DEC0CF3046BFC2F8A6"
ALICE, BOB, CAROL = "alice-fin", "bob-fin", "carol-fin"


def _main_db(home: Path) -> Any:
    from agents.domains import migration_folders
    from storage.db.engine import Database

    return Database(f"sqlite:///{home / 'data' / 'personal-agent.sqlite3'}", migration_folders())


def _user_db(home: Path, user_id: int) -> Any:
    from agents.domains import migration_folders
    from app.server.spaces import user_database_url
    from storage.db.engine import Database

    main = f"sqlite:///{home / 'data' / 'personal-agent.sqlite3'}"
    return Database(user_database_url(main, home / "data", user_id), migration_folders())


@pytest.fixture(scope="module")
def finance_server(tmp_path_factory: pytest.TempPathFactory, fints_bank_server: FintsBank) -> Iterator[LiveServer]:
    from app.server.tokens import TokenIssuer
    from app.server.users import UserStore
    from storage.audit import AuditLog

    bank = fints_bank_server
    bank.reset()
    home = tmp_path_factory.mktemp("finance-server")
    cfg = home / "config" / "config.toml"
    cfg.parent.mkdir(parents=True)
    cfg.write_text(f'[domains.finance]\nfints_product_id = "{PRODUCT}"\nsync_days = 30\n'
                   'sync_interval_min = 60\nsync_first_delay_s = 1\n')
    db = _main_db(home)
    db.migrate()
    users = UserStore(db, AuditLog(db), TokenIssuer("k" * 32, timedelta(minutes=5), timedelta(days=1)),
                      timedelta(minutes=5))
    ids = {name: users.create_user(name, PASSWORD, is_admin=name == CAROL).id for name in (ALICE, BOB, CAROL)}
    seeded = _user_db(home, ids[BOB])
    seeded.migrate()
    seed_ledger(seeded)
    seeded.dispose()
    db.dispose()
    with as_home(home):
        from app.cli.main import cli

        res = CliRunner().invoke(cli, ["accounts", "add", "fake", "--kind", "bank", "--username", bank.user_id,
                                       "-o", f"bank_code={bank.blz}", "-o", f"url={bank.url}",
                                       "-o", "tan_method=pushTAN", "-o", f"user={ALICE}", "--password-stdin"],
                                 input=bank.pin + "\n")
        assert res.exit_code == 0, res.output
    server = start_server(home)
    yield server
    stop_server(server)
    bank.reset()


def _wait_synced(c: Client, timeout: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        status: dict[str, Any] = c.get("/api/v1/finance/sync").json()
        done = [a for a in status["accounts"] if a["state"] in ("ok", "failed")]
        if done:
            return status
        assert time.monotonic() < deadline, status
        time.sleep(0.5)


def test_scheduled_sync_fills_only_its_users_ledger(finance_server: LiveServer, fints_bank_server: FintsBank) -> None:
    alice, bob = finance_server.login(ALICE), finance_server.login(BOB)
    status = _wait_synced(alice)
    assert status["interval_min"] == 60 and status["next_run_at"] is not None
    [fake] = status["accounts"]
    assert fake["account"] == "fake" and fake["state"] == "ok", fake
    assert fake["message"].startswith("synced bank 'fake': 2 account(s), 2 balance(s)"), fake
    assert fake["new_transactions"] > 0
    accounts = alice.get("/api/v1/finance/accounts").json()
    assert sorted(a["iban"] for a in accounts) == sorted(a.iban for a in fints_bank_server.accounts)
    for a in accounts:
        bank_account = fints_bank_server.account(a["iban"])
        assert Decimal(a["balance"]) == bank_account.balance and a["balance_source"] == "bank"
    page = alice.get("/api/v1/finance/transactions", params={"limit": 200}).json()
    since = date.today() - timedelta(days=30)
    expected = sum(1 for a in fints_bank_server.accounts for t in a.transactions if t.booking_date >= since)
    assert page["total"] == expected == fake["new_transactions"]
    # bob's ledger is his own: no bank accounts of alice's, and the sync status names none of hers
    assert {a["iban"] for a in bob.get("/api/v1/finance/accounts").json()} == {GIRO, SAVINGS}
    assert bob.get("/api/v1/finance/sync").json()["accounts"] == []
    other = page["items"][0]["id"]
    mine = {t["id"] for t in bob.get("/api/v1/finance/transactions", params={"limit": 200}).json()["items"]}
    if other not in mine:
        assert bob.get(f"/api/v1/finance/transactions/{other}").status_code == 404


def test_read_routes_on_a_seeded_ledger(finance_server: LiveServer) -> None:
    bob = finance_server.login(BOB)
    today = date.today()
    accounts = {a["iban"]: a for a in bob.get("/api/v1/finance/accounts").json()}
    assert accounts[GIRO]["balance"] == "4321.09" and accounts[GIRO]["as_of"] == today.isoformat()
    assert accounts[SAVINGS]["balance"] == "500.00" and accounts[SAVINGS]["balance_source"] == "sum"

    rewe = bob.get("/api/v1/finance/transactions", params={"q": "rewe", "limit": 2}).json()
    assert rewe["total"] >= 9 and len(rewe["items"]) == 2 and rewe["limit"] == 2
    assert all(t["category"] == "groceries" and t["counterparty"] == "REWE Markt GmbH" for t in rewe["items"])
    assert rewe["items"][0]["booking_date"] >= rewe["items"][1]["booking_date"]  # newest first
    rest = bob.get("/api/v1/finance/transactions", params={"q": "rewe", "offset": 2, "limit": 200}).json()
    assert len(rest["items"]) == rewe["total"] - 2
    assert not {t["id"] for t in rest["items"]} & {t["id"] for t in rewe["items"]}
    # % and _ are text, not wildcards
    assert bob.get("/api/v1/finance/transactions", params={"q": "_50%"}).json()["total"] == 1
    assert bob.get("/api/v1/finance/transactions", params={"q": "%"}).json()["total"] == 1
    none = bob.get("/api/v1/finance/transactions", params={"category": "none", "limit": 200}).json()
    assert none["total"] > 0 and all(t["category"] is None for t in none["items"])
    month = today.replace(day=1)
    prev = (month - timedelta(days=1)).replace(day=1)
    rent = bob.get("/api/v1/finance/transactions", params={"category": "rent", "from": prev.isoformat(),
                                                           "to": (month - timedelta(days=1)).isoformat()}).json()
    assert rent["total"] == 1 and rent["items"][0]["amount"] == "-950.00"
    one = bob.get(f"/api/v1/finance/transactions/{rent['items'][0]['id']}").json()
    assert one["purpose"].startswith("Miete") and one["account"] == GIRO

    last = (month - timedelta(days=1)).strftime("%Y-%m")
    spending = bob.get("/api/v1/finance/spending", params={"month": last}).json()
    by_key = {c["category"]: c for c in spending["categories"]}
    assert spending["month"] == last and by_key["rent"]["amount"] == "950.00"
    assert by_key["groceries"]["amount"] == "159.05" and by_key["subscriptions"]["amount"] == "23.98"
    assert "salary" not in by_key  # money in is not spending
    budgets = {b["category"]: b for b in bob.get("/api/v1/finance/budgets", params={"month": last}).json()}
    assert budgets["groceries"]["limit"] == "150.00" and budgets["groceries"]["spent"] == "159.05"
    assert budgets["groceries"]["left"] == "-9.05" and budgets["groceries"]["level"] == "exceeded"
    subs = bob.get("/api/v1/finance/recurring").json()
    assert [s["payee"] for s in subs] == ["Netflix International B.V.", "Spotify AB"]
    assert subs[0]["amount"] == "12.99" and subs[0]["period"] == "monthly"
    every = bob.get("/api/v1/finance/recurring", params={"all": "true"}).json()
    assert {"Hausverwaltung Meier", "Netflix International B.V."} <= {s["payee"] for s in every}
    cats = bob.get("/api/v1/finance/categories").json()
    assert {"key": "groceries", "name_de": "Lebensmittel", "name_en": "Groceries", "kind": "expense"} in cats


def test_another_user_sees_nothing(finance_server: LiveServer) -> None:
    bob, carol = finance_server.login(BOB), finance_server.login(CAROL)
    bobs = bob.get("/api/v1/finance/transactions", params={"limit": 1}).json()["items"][0]
    assert carol.get("/api/v1/finance/accounts").json() == []
    assert carol.get("/api/v1/finance/transactions").json() == {"total": 0, "offset": 0, "limit": 50, "items": []}
    r = carol.get(f"/api/v1/finance/transactions/{bobs['id']}")
    assert r.status_code == 404 and bobs["counterparty"] not in r.text
    assert carol.get("/api/v1/finance/spending").json()["categories"] == []
    assert carol.get("/api/v1/finance/budgets").json() == []
    assert carol.get("/api/v1/finance/recurring").json() == []
    # carol is an admin: she sees the household's bank accounts' status, not alice's
    assert [a for a in carol.get("/api/v1/finance/sync").json()["accounts"] if a["user"] == ALICE] == []


def test_sign_in_required(finance_server: LiveServer) -> None:
    with finance_server.http() as http:
        for path in ("accounts", "transactions", "transactions/1", "spending", "budgets", "recurring", "sync",
                     "categories"):
            r = http.get(f"/api/v1/finance/{path}")
            assert r.status_code == 401, (path, r.text)
            r = http.get(f"/api/v1/finance/{path}", headers={"Authorization": "Bearer not-a-token"})
            assert r.status_code == 401, (path, r.text)


@pytest.mark.parametrize(("path", "params"), [
    ("transactions", {"limit": "0"}), ("transactions", {"limit": "201"}), ("transactions", {"offset": "-1"}),
    ("transactions", {"limit": "lots"}), ("transactions", {"from": "2026-13-01"}),
    ("transactions", {"to": "yesterday"}), ("transactions", {"from": "2026-05-01", "to": "2026-04-01"}),
    ("transactions", {"q": "x" * 201}), ("transactions", {"category": "Robert'); DROP TABLE"}),
    ("transactions", {"offset": "99999999999999999999999"}), ("transactions/0", {}), ("transactions/abc", {}),
    ("transactions/99999999999999999999999", {}), ("spending", {"month": "2026-13"}),
    ("spending", {"month": "Nov"}), ("spending", {"month": "0000-04"}), ("budgets", {"month": "2026-1"}),
    ("recurring", {"all": "maybe"}),
])
def test_bad_parameters_are_4xx_with_one_line(finance_server: LiveServer, path: str, params: dict[str, str]) -> None:
    bob = finance_server.login(BOB)
    r = bob.get(f"/api/v1/finance/{path}", params=params)
    assert 400 <= r.status_code < 500, (path, params, r.status_code, r.text)
    detail = r.json()["detail"]
    assert isinstance(detail, str) and "\n" not in detail and "Traceback" not in detail


def test_unknown_category_and_extreme_dates_are_empty_not_an_error(finance_server: LiveServer) -> None:
    bob = finance_server.login(BOB)
    assert bob.get("/api/v1/finance/transactions", params={"category": "yachts"}).json()["total"] == 0
    r = bob.get("/api/v1/finance/transactions", params={"from": "0001-01-01", "to": "9999-12-31", "q": "en\x00zo"})
    enzo = bob.get("/api/v1/finance/transactions", params={"q": "enzo"}).json()["total"]
    assert r.status_code == 200 and r.json()["total"] == enzo > 0, r.text  # NUL dropped, all dates


@pytest.mark.e2e
@pytest.mark.slow
def test_phone_client_shows_the_finance_screen_over_the_api(finance_server: LiveServer) -> None:
    """The phone's path: `remote pair` + `remote ui` (the Flet UI on a RemoteEngine) at phone width;
    the Finance screen reads bob's ledger through the read routes and offers no edit."""
    from app.cli.main import cli
    from tests.e2e.browser import browser_page, ui_process
    from tests.e2e.gui_helpers import PHONE, ROOT, by_id, nav, screenshot, wait_text

    bob = finance_server.login(BOB)
    code = bob.post("/api/v1/pairing/codes").json()["code"]
    res = CliRunner().invoke(cli, ["remote", "pair", finance_server.url, code, "--device-name", "phone"])
    assert res.exit_code == 0, res.output
    remote_ui = ui_process(lambda port: ["remote", "ui", "--port", str(port)], env={"PYTHONPATH": str(ROOT)},
                           timeout=90)
    with remote_ui as url, browser_page(url, *PHONE) as page:
        wait_text(page, "status", "Idle", timeout=90)
        nav(page, "Finance")
        wait_text(page, "finance-balance", "€4,321.09", timeout=60)
        wait_text(page, "finance-balance", "€500.00", timeout=10)
        by_id(page, "finance-spend-rent").first.wait_for(timeout=30_000)
        assert by_id(page, "finance-sync-now").count() == 0  # the phone does not start syncs
        screenshot(page, "finance-remote-390x844")
