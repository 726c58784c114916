"""Sentence templates of the local intents, in the spirit of Home Assistant's hassil.

Syntax: ``[optional words]``, ``(one|or|other)``, ``{slot}``. Slots are typed by name:
``{when}`` a point in time, ``{duration}`` a length of time, ``{range}`` a day or week,
``{person}`` up to four words, any other name free text. Templates are tried in order; the
first whose words and slot values all fit wins. Utterances are normalized first (lower case,
no punctuation, polite wrappers like "please" / "kannst du" removed)."""

from __future__ import annotations

from typing import Literal

Lang = Literal["en", "de"]

WHAT_IS = "(what's|what is|whats)"
MAIL = "(mail|mails|email|emails|e-mail|e-mails|messages)"
MAIL_DE = "(mails|e-mails|emails|mail|e-mail|nachrichten|post)"
CAL = "(calendar|schedule|agenda|diary)"
EVENT = "(event|appointment|meeting|entry|calendar entry|calendar event)"
EVENT_DE = "(termin|eintrag|kalendereintrag|meeting|ereignis|besprechung|treffen)"

INTENTS: dict[str, dict[Lang, list[str]]] = {
    "Confirm": {
        "en": ["(yes|yeah|yep|yup|sure|ok|okay|confirm|confirmed|approve|approved|affirmative|correct)",
               "(yes|ok|okay) [please|do it|go ahead|send it]", "(do it|go ahead|send it|go for it|proceed)",
               "(yes|ok|okay) (do it|go ahead|send it|that's right|that is right)"],
        "de": ["(ja|jawohl|jo|genau|klar|bestätigen|bestätige|bestätigt|einverstanden|passt|richtig)",
               "ja [bitte|gerne|mach das|mach es|schick es|senden|genau]",
               "(mach das|mach es|mach schon|schick es ab|schick es|abschicken|leg los)"],
    },
    "Reject": {
        "en": ["(no|nope|nah|cancel|cancel it|cancel that|don't|do not|never mind|nevermind|deny|abort)",
               "no (thanks|thank you|don't|do not|cancel|cancel it|never mind|don't send it|leave it)",
               "(don't|do not) (do it|send it|do that)"],
        "de": ["(nein|ne|nö|abbrechen|abbruch|lass es|lass das|vergiss es|auf keinen fall|stopp das)",
               "nein [danke|lass es|nicht|abbrechen|nicht senden|nicht schicken]",
               "(nicht senden|nicht schicken|nicht machen)"],
    },
    "GetTime": {
        "en": [f"{WHAT_IS} the [current] time [now|right now|please]", "what time is it [now|right now]",
               "(tell|give) me the [current] time", "do you (have|know) the time", "[the] (current) time",
               "time", "what's the time now", "what time do we have",
               "(tell me|do you know) what time it is"],
        "de": ["wie spät ist es [jetzt|gerade]", "wie spät (haben wir|ist's)",
               "(wie viel|wieviel) uhr (ist es|haben wir) [jetzt|gerade]", "(sag|nenn) mir die uhrzeit",
               "[die] [aktuelle] uhrzeit", "welche uhrzeit haben wir", "was ist die uhrzeit",
               "[kannst du] [mir] (sagen|sag mir) wie spät es ist", "(weißt du|sag mir) wie spät es ist",
               "sag mir wie viel uhr es ist"],
    },
    "GetDate": {
        "en": [f"{WHAT_IS} (the date|today's date|the date today|today) [today]", "what day is (it|today) [today]",
               "what date is (it|today) [today]", "which day is (it|today)", "today's date",
               f"{WHAT_IS} (the day|the day today|the weekday)", "what's today"],
        "de": ["welcher (tag|wochentag) ist heute", "welches datum (haben wir|ist heute|ist) [heute]",
               "der wievielte ist heute", "den wievielten haben wir [heute]", "was ist heute für ein tag",
               "welchen tag haben wir [heute]", "[das] [heutige] datum", "was für ein tag ist heute"],
    },
    "Help": {
        "en": ["what can you do", "help", "help me", "what do you (do|know how to do)", "what are your skills"],
        "de": ["was kannst du [alles]", "hilfe", "wobei kannst du [mir] helfen", "was kannst du für mich tun"],
    },
    "SetTimer": {
        "en": ["(set|start|create|make) [a|an|the] [new] timer (for|of|to) {duration} [(called|named|for) {label}]",
               "(set|start|create|make) (a|an) {duration} timer [(called|named|for) {label}]",
               "timer (for|of) {duration}", "{duration} timer", "count down {duration}",
               "(set|start) [a] timer {duration}"],
        "de": ["(stell|stelle|starte|start|setze|setz|mach|mache) [mir] [einen|den|einen neuen|nen] timer (auf|für|von|über) {duration} [(für|namens) {label}]",
               "(stell|stelle|starte|setze|mach) [mir] [einen|nen] {duration} timer",
               "timer (auf|für|von|über) {duration}", "{duration} timer", "timer {duration}",
               "weck mich in {duration}"],
    },
    "TimerStatus": {
        "en": ["how (much|long) [time] [is] (left|remaining) [on] [the|my] [timer]",
               "how (long|much longer) [is left] on [the|my] timer", f"{WHAT_IS} [the|my] timer [at|status]",
               "how much longer", "is my timer (still running|running|done)", "check [the|my] timer"],
        "de": ["wie (lange|lang) (läuft|dauert|geht) der timer noch", "wie viel zeit (ist|bleibt|hat der timer) noch [übrig] [auf dem timer]",
               "wie (lange|lang) noch", "wie steht der timer", "läuft der timer noch", "wie viel zeit ist noch auf dem timer"],
    },
    "CancelTimer": {
        "en": ["(cancel|stop|delete|remove|clear|end|kill) [the|my|all|all the|all my] (timer|timers)",
               "turn off [the|my] timer"],
        "de": ["(stopp|stoppe|stop|lösche|lösch|beende|beend|entferne) [den|die|alle|meinen|meine] (timer|timers)",
               "(brich|brech) [den|alle] timer ab", "timer (abbrechen|stoppen|löschen|beenden|aus)"],
    },
    "SetReminder": {
        "en": ["remind me {when} to {text}", "remind me to {text} {when}", "remind me {when} (about|of|that) {text}",
               "remind me (about|of|that) {text} {when}",
               "(set|create|add|make) [a|an] reminder {when} (to|for|about) {text}",
               "(set|create|add|make) [a|an] reminder (to|for|about) {text} {when}",
               "(set|create|add|make) [a|an] reminder (for|at|on) {when} (to|about|that) {text}"],
        "de": ["(erinnere|erinner) mich {when} (an|daran|dass) {text}", "(erinnere|erinner) mich (an|daran|dass) {text} {when}",
               "(erinnere|erinner) mich {when} {text}",
               "(stell|stelle|erstelle|setze|mach) [mir] [eine] erinnerung {when} (für|an|zu) {text}",
               "(stell|stelle|erstelle|setze|mach) [mir] [eine] erinnerung (für|an|zu) {text} {when}"],
    },
    "ListReminders": {
        "en": [f"{WHAT_IS} my reminders", "what are my reminders", "(show|list|read|tell) [me] [all] my reminders",
               "what reminders do i have", "do i have any reminders", "any reminders"],
        "de": ["welche erinnerungen (habe|hab) ich", "(zeig|zeige|lies) [mir] [alle] meine erinnerungen [vor]",
               "was sind meine erinnerungen", "(habe|hab) ich erinnerungen", "meine erinnerungen"],
    },
    "ListNotes": {
        "en": [f"{WHAT_IS} [in] my notes", "what are my notes", "(show|list|read|tell) [me] [all] my notes",
               "what have i (asked|told) you to remember", "what do you remember [about me]"],
        "de": ["was hast du dir gemerkt", "(zeig|zeige|lies) [mir] [alle] meine notizen [vor]",
               "welche notizen (habe|hab) ich", "was sind meine notizen", "woran erinnerst du dich"],
    },
    "RecallNote": {
        "en": ["what did i (say|tell you|note|write down|mention) (about|regarding|on) {topic}",
               "what do you (know|remember) about {topic}", "do you remember [anything] about {topic}",
               "(find|search|check) [my|the] notes (about|for|on) {topic}",
               "what have i (said|told you) about {topic}"],
        "de": ["was (habe|hab) ich [dir] (über|zu|wegen) {topic} (gesagt|erzählt|notiert)",
               "was weißt du (über|zu|von) {topic}", "erinnerst du dich an {topic}",
               "(suche|such|durchsuche) [in] [meine|meinen] notizen (nach|über|zu) {topic}",
               "was hatte ich (über|zu) {topic} gesagt"],
    },
    "Forget": {
        "en": ["forget (what i said about|what i told you about|everything about|about|that) {topic}",
               "forget {topic}", "(delete|remove) [the|my] (note|notes) (about|on|regarding) {topic}",
               "(delete|remove) {topic} from [your] memory"],
        "de": ["vergiss (alles über|das mit|was ich über|was ich zu|dass) {topic} [gesagt habe]", "vergiss {topic}",
               "(lösche|lösch|entferne) [die|meine] (notiz|notizen) (über|zu|zum|zur) {topic}"],
    },
    "AddNote": {
        "en": ["remember (that|this) {text}", "remember {text}", "(note|write down|jot down) [that] {text}",
               "(take|make|add|save|create) a note [that|saying] {text}", "(please remember|keep in mind) [that] {text}"],
        "de": ["(merk|merke) dir[,] [dass|das] {text}", "(notiere|notier) [dir] [dass] {text}",
               "(schreib|schreibe) [dir] auf [dass] {text}", "(mach|mache|erstelle) [dir] eine notiz [dass] {text}",
               "denk daran [dass] {text}", "(speichere|speicher) [die] notiz {text}"],
    },
    "UnreadMail": {
        "en": [f"[do] i have [any] (new|unread) {MAIL}", f"(any|are there any) (new|unread) {MAIL}",
               "(check|open) my (mail|email|emails|inbox|mailbox)", f"(read|show|give) [me] my (new|unread|latest) {MAIL}",
               f"how many (unread|new) {MAIL} [do i have]", "(what's|what is|anything) new in my inbox",
               "did i get (any|new) (mail|email|emails)", f"[any] (unread|new) {MAIL}"],
        "de": [f"(habe|hab) ich [neue|ungelesene] {MAIL_DE}", f"gibt es (neue|ungelesene) {MAIL_DE}",
               "(prüfe|prüf|check|checke) [meine|mein] (mails|e-mails|emails|posteingang|postfach)",
               f"(lies|zeig|zeige) [mir] [meine] (neuen|ungelesenen|letzten) {MAIL_DE} [vor]",
               f"wie viele (ungelesene|neue) {MAIL_DE} (habe|hab) ich", f"(ungelesene|neue) {MAIL_DE}",
               "was ist neu im posteingang", "ist post (da|gekommen)"],
    },
    "MailFrom": {
        "en": [f"[do] i have [any] [new|unread] {MAIL} from {{person}}", f"(any|are there any) [new|unread] {MAIL} from {{person}}",
               "(did|has) {person} (email|emailed|write|written|wrote|mail|mailed|message|messaged) [me|to me]",
               f"(show|read|give|find) [me] [the|my] [new|latest|last] {MAIL} from {{person}}",
               f"{MAIL} from {{person}}", "what did {person} (write|send) [me]"],
        "de": [f"(habe|hab) ich [neue] {MAIL_DE} von {{person}}", f"gibt es [neue] {MAIL_DE} von {{person}}",
               "hat [mir] {person} [mir] (geschrieben|gemailt|eine mail geschickt|eine e-mail geschickt)",
               f"(zeig|zeige|lies|finde) [mir] [die|meine] [neuen|letzten] {MAIL_DE} von {{person}} [vor]",
               f"{MAIL_DE} von {{person}}", "was hat {person} [mir] geschrieben"],
    },
    "MeetingStart": {
        "en": ["(start|begin) [the|a] [meeting] recording [of] [the|this] [meeting|call] [(called|named|about|titled) {title}]",
               "(start|begin) recording [the|this] [meeting|call|conversation] [(called|named|about|titled) {title}]",
               "record [the|this] (meeting|call|conversation)"],
        "de": ["(starte|start|beginne|beginn) [die|eine] (meetingaufnahme|besprechungsaufnahme|aufnahme)",
               "(starte|start|beginne) [die|eine] aufnahme [(des|vom) (meeting|meetings|gesprächs|treffens)] [(namens|zum thema|über) {title}]",
               "(nimm|nehme) [das|dieses|die] (meeting|gespräch|treffen|besprechung) auf", "aufnahme starten",
               "(meeting|besprechung) aufnehmen"],
    },
    "MeetingStop": {
        "en": ["(stop|end|finish) [the] [meeting] recording", "(stop|end|finish) recording [the|this] [meeting|call]"],
        "de": ["(stoppe|stopp|stop|beende|beend) [die] (meetingaufnahme|besprechungsaufnahme|aufnahme)",
               "aufnahme (beenden|stoppen)", "(hör|höre) auf aufzunehmen"],
    },
    "MeetingPause": {
        "en": ["pause [the] [meeting] recording", "pause recording [the|this] [meeting]", "(hold|suspend) [the] recording"],
        "de": ["(pausiere|pausier) [die] aufnahme", "aufnahme pausieren", "(halte|halt) die aufnahme an"],
    },
    "MeetingResume": {
        "en": ["(resume|continue|unpause|restart) [the] [meeting] recording", "(resume|continue) recording"],
        "de": ["(setze|setz) [die] aufnahme fort", "aufnahme fortsetzen", "(nimm|nehme) wieder auf",
               "weiter aufnehmen"],
    },
    "SearchTranscripts": {
        "en": ["(search|check) [in] [the|my] (transcripts|meetings|recordings|meeting notes) (for|about) {query}",
               "what was said about {query} [in the meeting|in the last meeting|in meetings|in a meeting]",
               "(find|look for) {query} in [the|my] (transcripts|meetings|recordings)",
               "(when|where) did we (talk|speak) about {query}", "did we (talk|speak) about {query} [in a meeting|in the meeting]",
               "what did we (say|discuss|decide) about {query} [in the meeting|in the last meeting]"],
        "de": ["(durchsuche|durchsuch) [die|meine] (transkripte|meetings|aufnahmen|besprechungen) nach {query}",
               "(suche|such) in [den|meinen] (transkripten|meetings|aufnahmen|besprechungen) nach {query}",
               "was wurde (über|zu) {query} gesagt", "was haben wir (über|zu|zum|zur) {query} (gesagt|besprochen|beschlossen|entschieden)",
               "(wann|wo) haben wir über {query} gesprochen", "haben wir über {query} gesprochen"],
    },
    "CreateEvent": {
        "en": [f"(create|add|make|schedule|put|book|set up|plan) [an|a|the|new] [new] {EVENT} [(called|named|titled|for|about)] {{title}} {{when}} [for {{duration}}]",
               f"(create|add|make|schedule|put|book|set up|plan) [an|a|the] [new] {EVENT} {{when}} [(called|named|titled|for|about)] {{title}}",
               "(add|put) {title} (to|in|on|into) my calendar {when} [for {duration}]",
               "(add|put) {title} {when} (to|in|on|into) my calendar",
               "(schedule|book|plan) {title} {when} [for {duration}]"],
        "de": [f"(erstelle|erstell|lege|leg|mach|mache|plane|plan|trage|trag) [mir] [einen|ein|eine|den|neuen|einen neuen] {EVENT_DE} [an] [(namens|mit dem titel|für|zum thema)] {{title}} {{when}} [für {{duration}}] [an|ein]",
               f"(erstelle|erstell|lege|leg|mach|mache|plane|plan|trage|trag) [mir] [einen|ein|eine|den|neuen|einen neuen] {EVENT_DE} {{when}} [an] [(namens|mit dem titel|für|zum thema)] {{title}} [an|ein]",
               "(trag|trage|setz|setze) [mir] {when} {title} [in den kalender|in meinen kalender] ein",
               "(trag|trage|setz|setze) [mir] {title} {when} [in den kalender|in meinen kalender] ein",
               "(plane|plan) {title} {when} [für {duration}]"],
    },
    "CalendarQuery": {
        "en": [f"{WHAT_IS} (on|in) [my|the] {CAL} [for] [{{range}}]", f"{WHAT_IS} on [for] {{range}}",
               f"{WHAT_IS} {{range}} on my {CAL}", f"{WHAT_IS} my {CAL} [for|like] [{{range}}]",
               "what do i have [on|planned|scheduled|going on] [for] {range}", "what am i doing {range}",
               "(do|have) i [have|got] (anything|any meetings|any appointments|any events|meetings|appointments|something) [planned|scheduled|on] [for] {range}",
               f"(show|read|tell|give) [me] my {CAL} [for] [{{range}}]",
               "(show|read|tell|give|list) [me] my (appointments|meetings|events) [for] [{range}]",
               "what (are|were) my (appointments|meetings|events) [for] [{range}]", f"my {CAL} [for] [{{range}}]",
               f"(check|open) my {CAL} [for] [{{range}}]", "am i (free|busy) [on] {range}"],
        "de": ["was steht {range} (im|in meinem|in dem) kalender [an]", "was steht (im|in meinem) kalender [für] [{range}] [an]",
               "was steht {range} an", "was (habe|hab) ich {range} [vor|geplant|für termine]",
               "(habe|hab) ich {range} (termine|einen termin|etwas vor|was vor|zeit|etwas|was)",
               "welche termine (habe|hab) ich [{range}]", "welche termine stehen {range} an",
               "(zeig|zeige|lies) [mir] [meine] termine [für] [{range}] [vor]",
               "(zeig|zeige|lies) [mir] [meinen] kalender [für] [{range}] [vor]", "[meine] termine [für] {range}",
               "wie sieht mein kalender [für] [{range}] aus", "wie sieht {range} aus", "was ist {range} im kalender",
               "bin ich {range} (frei|beschäftigt)"],
    },
}
