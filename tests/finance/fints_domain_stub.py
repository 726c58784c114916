"""Stands in for the finance domain's registration (agents/finance/__init__.py's DOMAIN, built beside
this work) so that ``[domains.finance]`` with the FinTS settings is accepted in these tests."""

from agents.domains import Domain
from agents.finance.bank_config import FintsSettings

DOMAIN = Domain(name="finance", settings=FintsSettings)
