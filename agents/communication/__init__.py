"""The communication domain: mail (IMAP/SMTP), calendar (CalDAV) and messaging (WhatsApp): the
services, the delegate agent, the local intents and the account kinds it uses."""

from agents.communication.intents import HANDLERS, INTENTS, SAY_BACK
from agents.domains import Domain

DOMAIN = Domain(
    name="communication",
    description="Calendar (read, create, delete events), e-mail (search, read, send, reply) and instant messages: "
                "when something is, what someone wrote, sent or wants, what an e-mail or an invoice in the mail says. "
                "Pass the user's request with all details.",
    intents=INTENTS,
    handlers=HANDLERS,
    say_back=SAY_BACK,
    delegate="agents.communication.agent:communication_agent",
    account_kinds=("mail", "caldav", "whatsapp"),
    cues=(r"e-?mail(?:s|ed)?\b", r"mail(?:s|ed)?\b", r"inbox", r"posteingang", r"postfach", r"calendar", r"\w*kalender",
          r"\w*termine?\b", r"appointments?", r"schedule", r"messages?\b", r"\w*nachrichte?n?\b", r"whatsapp",
          r"repl(y|ies)", r"antwort",
          # someone's invoice is what their mail says ("How much is Anna's invoice?", "Lenas Rechnung"); paying it
          # is finance's ("pay" leads the request: agents/routing.py)
          r"\w+'s (?:invoice|bill)\b", r"(?:invoice|bill) from\b", r"\w+s rechnung\b", r"rechnung von\b", r"schreib(?:e|en|t)?\b", r"schrieb\b", r"geschrieben", r"write\b", r"wrote\b", r"text\b", r"sms", r"forward", r"weiterleit"),
    warm_requests=("What is in my inbox?", "What is on my calendar?", "Any new WhatsApp messages?",
                   "Reply to the e-mail from Tom", "Book an appointment", "Delete the appointment",
                   "Send Tom a WhatsApp message"),
)
