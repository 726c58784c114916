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
          r"alarm", r"vergiss", r"forget",
          # the clock and the calendar day asked in many words ("find out which weekday it is for me"); narrow
          # enough that "what time is the dentist" stays the calendar's
          r"week ?days?\b", r"wochentag", r"what time is it", r"wie sp[äa]t", r"what day is (?:it|today)",
          r"welcher tag (?:ist )?heute", r"today'?s date", r"welches datum (?:ist|haben wir)"),
    warm_requests=("Remind me tomorrow at nine", "Set a timer for five minutes", "Remember that I like tea"),
)
