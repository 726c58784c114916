"""The finance domain: bank connections (FinTS), statement imports, the ledger, budgets and transfers."""
