"""The finance domain (banking and the ledger): ``models`` (the shared types a bank connection or a
statement import hands over), ``settings`` (FinanceSettings), ``db`` + ``migrations/`` (the ledger's
tables, its own Alembic branch), ``imports/`` (CAMT.053/052, MT940/MT942, German bank CSVs),
``ledger`` (one import = one database transaction, fingerprints), ``categories`` (defaults, rules,
learning from corrections), ``recurring`` (subscriptions), ``budgets`` and ``queries`` (what the voice
part asks: balance, spending, top payees, subscriptions, budget left).

By voice and text: ``intents`` (local EN+DE intents: balance, spending, subscriptions, budget left, a
transfer draft and its TAN / app-approval steps), ``transfers`` (payee, limits, approval, the bank's
steps), ``agent`` (the delegate ``ask_finance``), ``spoken`` (amounts in words and per locale). The
FinTS connection lives in ``fints*.py``; e-invoices (read, check, import, pay, marked paid) in ``invoices/``."""

from pathlib import Path

from agents.domains import Domain
from agents.finance.actions import ACTIONS
from agents.finance.intents import HANDLERS, INTENTS, SAY_BACK
from agents.finance.settings import FinanceSettings

DOMAIN = Domain(
    name="finance",
    description=("Banking: account balances, transactions and spending per category, budgets, "
                 "subscriptions and recurring payments, transfer drafts. Not what an e-mail says (an invoice "
                 "someone sent by mail is a question for the mail)."),
    intents=INTENTS,
    handlers=HANDLERS,
    say_back=SAY_BACK,
    delegate="agents.finance.agent:finance_agent",
    actions=ACTIONS,
    settings=FinanceSettings,
    migrations=Path(__file__).parent / "migrations",  # its tables: db.py
    account_kinds=("bank",),
    cues=(r"kontostand", r"balance", r"überweis", r"ueberweis", r"transfer", r"ausgegeben", r"spent",
          r"spending", r"abos?\b", r"abonnement", r"subscriptions?", r"umsätze", r"umsaetze",
          r"transactions", r"girokonto", r"bank account", r"bankkonto", r"pay\b", r"paid\b", r"bezahl"),
    warm_requests=("Transfer 50 euros to Anna",),
)
