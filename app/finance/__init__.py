"""Finance as an app feature: ``views`` (what the Finance screen and the API's read routes show, read
from one ledger database), ``fmt`` (money and months in the user's locale, Babel), ``scheduler`` (the
scheduled bank sync of the running app/server: one at a time, with its status), ``source`` (where the
screen gets its data: the local ledger, or the home server's API on a phone)."""
