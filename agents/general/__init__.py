"""The general domain: yes/no, time and date, help, timers, reminders, the user's notes and facts."""

from agents.domains import Domain
from agents.general.intents import HANDLERS, INTENTS, SAY_BACK

DOMAIN = Domain(
    name="general",
    description="Time and date, timers, reminders, and the user's notes and facts (remember, recall, forget).",
    intents=INTENTS,
    handlers=HANDLERS,
    say_back=SAY_BACK,
    delegate="agents.general.agent:general_agent",
    cues=(r"timers?\b", r"remind", r"erinner", r"notes?\b", r"notiz", r"merk", r"remember", r"wecker",
          r"alarm", r"vergiss", r"forget"),
    warm_requests=("Remind me tomorrow at nine", "Set a timer for five minutes", "Remember that I like tea"),
)
