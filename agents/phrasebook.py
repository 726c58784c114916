"""The spoken and CLI phrases that every part of the assistant says the same way, in English and German
(one catalogue: agents/i18n.py): the approval question, what a yes or a no did, failures, and the
`say` command's lines. Said in the language of the user's request (a German request gets German), or
the app's language where no request is at hand (the CLI). Phrases that belong to one intent stay with
it (``tr(lang, en, de)`` beside the code that knows what happened)."""

from __future__ import annotations

from agents.i18n import Catalogue

PHRASES = Catalogue({
    # approvals: the question after a summary of what will happen, and what the answer did
    "approval.question": (" Shall I?", " Soll ich?"),
    "approval.go_on_transfer": ("Shall I go on with the transfer?", "Soll ich mit der Überweisung weitermachen?"),
    "approval.expired": ("That request has expired; nothing was done. Please ask again.",
                         "Die Anfrage ist abgelaufen; es wurde nichts gemacht. Bitte frag noch einmal."),
    "approval.declined": ("Okay, I won't do it.", "Okay, ich mache es nicht."),
    "approval.already": ("That was already answered (on another device?); nothing more was done.",
                         "Das wurde schon beantwortet (auf einem anderen Gerät?); sonst wurde nichts getan."),
    "approval.cli_hint": ("[approval #{id}] answer: personal-agent ask yes | personal-agent ask no",
                          "[Freigabe #{id}] antworten: personal-agent ask ja | personal-agent ask nein"),
    # confirmations of what ran
    "done.calendar_event": ("Done, \"{title}\" is in your calendar.", "Erledigt, „{title}“ steht im Kalender."),
    "done.notes_deleted_one": ("Done, {count} note deleted.", "Erledigt, {count} Notiz gelöscht."),
    "done.notes_deleted_many": ("Done, {count} notes deleted.", "Erledigt, {count} Notizen gelöscht."),
    "done.tool": ("Done: {tool}.", "Erledigt: {tool}."),
    # errors
    "error.failed": ("That failed: {detail}", "Das hat nicht geklappt: {detail}"),
    "error.turn_failed": ("Sorry, that failed ({detail}).", "Entschuldigung, das hat nicht geklappt ({detail})."),
    # `personal-agent say`
    "say.empty": ("say: nothing to say: the text is empty", "say: nichts zu sagen: der Text ist leer"),
    "say.too_long": ("say: the text is too long to speak at once: at most {limit} characters (this one has "
                     "{length}); split it into parts",
                     "say: der Text ist zu lang, um ihn auf einmal zu sprechen: höchstens {limit} Zeichen (dieser "
                     "hat {length}); teil ihn auf"),
    "say.unsupported": ("say: language '{language}' is not supported (en, de)",
                        "say: die Sprache '{language}' wird nicht unterstützt (en, de)"),
    "say.no_words": ("say: nothing to say: the text has no words to speak (only emoji or symbols)",
                     "say: nichts zu sagen: der Text hat keine Wörter zum Sprechen (nur Emoji oder Zeichen)"),
    "say.rate": ("say: --rate must be above 0.2 and at most 3.0", "say: --rate muss über 0.2 und höchstens 3.0 sein"),
    "say.fallback": ("no {language} Piper voice installed: spoken by the fallback voice espeak-ng (install {voice} "
                     "in Voices & models for a natural voice)",
                     "keine Piper-Stimme für {language} installiert: es spricht die Ersatzstimme espeak-ng "
                     "(installier {voice} unter Voices & models für eine natürliche Stimme)"),
    "say.wrote": ("wrote {path} ({seconds} s, {rate} Hz)", "{path} geschrieben ({seconds} s, {rate} Hz)"),
    "say.stopped": ("stopped after {seconds} s; spoken: {text}", "angehalten nach {seconds} s; gesprochen: {text}"),
    "say.spoke": ("spoke {count} sentence(s), {seconds} s on {device}",
                  "{count} Satz/Sätze gesprochen, {seconds} s auf {device}"),
    "language.en": ("English", "Englisch"),
    "language.de": ("German", "Deutsch"),
    "say.failed": ("say: {detail}", "say: {detail}"),
    # ---- what the engine tells every client (GUI, phone, server API) in the app's language: a refused
    # setting's or account field's reason, errors, progress labels, notices (app/engine)
    # settings (app/engine/settings_rules.py)
    "settings.stt_model_missing": ("This speech model is not installed. Choose one from the list.",
                                   "Dieses Spracherkennungsmodell ist nicht installiert. Wähl eins aus der Liste."),
    "settings.voice_missing": ("This voice is not installed. Choose one from the list.",
                               "Diese Stimme ist nicht installiert. Wähl eine aus der Liste."),
    "settings.wake_empty": ("Enter a few words to wake the assistant, for example “hey assistant”.",
                            "Gib ein paar Wörter ein, die den Assistenten wecken, zum Beispiel „hey assistant“."),
    "settings.ptt_not_key": ("Not a key. Enter one key, for example Space, F8 or a letter.",
                             "Das ist keine Taste. Gib eine Taste ein, zum Beispiel Leertaste, F8 oder einen "
                             "Buchstaben."),
    "settings.llm_url_missing": ("Enter the address of your model server, for example http://127.0.0.1:8080/v1.",
                                 "Gib die Adresse deines Modell-Servers ein, zum Beispiel "
                                 "http://127.0.0.1:8080/v1."),
    "settings.llm_url_scheme": ("Enter an address that starts with http:// or https://.",
                                "Gib eine Adresse ein, die mit http:// oder https:// beginnt."),
    "settings.not_saved": ("Not saved: {reasons}", "Nicht gespeichert: {reasons}"),
    "settings.system_audio_missing": ("This sound source is not here now. Choose one from the list.",
                                      "Diese Tonquelle gibt es hier gerade nicht. Wähl eine aus der Liste."),
    # a new account (app/engine/account_rules.py) and the password store (app/engine/local/accounts.py)
    "account.port": ("A port is a number from 1 to 65535.", "Ein Port ist eine Zahl von 1 bis 65535."),
    "account.name_missing": ("Give the account a short name, e.g. work.",
                             "Gib dem Konto einen kurzen Namen, z. B. arbeit."),
    "account.name_chars": ("Use letters, digits, dots, dashes or @ only, no spaces.",
                           "Nimm nur Buchstaben, Ziffern, Punkte, Bindestriche oder @, keine Leerzeichen."),
    "account.kind": ("Choose what kind of account this is.", "Wähl, welche Art von Konto das ist."),
    "account.llm_name": ("Name it after the model provider: {providers}.",
                         "Benenn es nach dem Anbieter des Modells: {providers}."),
    "account.user": ("Enter the user name you sign in with.",
                     "Gib den Benutzernamen ein, mit dem du dich anmeldest."),
    "account.host_mail": ("Enter the mail server (IMAP), e.g. imap.example.com.",
                          "Gib den Mailserver (IMAP) ein, z. B. imap.example.com."),
    "account.host_server": ("Enter the server's name or address.", "Gib den Namen oder die Adresse des Servers ein."),
    "account.smtp_host": ("Enter the server for sending mail (SMTP), e.g. smtp.example.com.",
                          "Gib den Server zum Senden (SMTP) ein, z. B. smtp.example.com."),
    "account.address": ("Enter your e-mail address.", "Gib deine E-Mail-Adresse ein."),
    "account.caldav_url": ("Enter the calendar address (CalDAV URL) or choose your provider.",
                           "Gib die Kalenderadresse (CalDAV-URL) ein oder wähl deinen Anbieter."),
    "account.caldav_scheme": ("The calendar address starts with https:// (or http://).",
                              "Die Kalenderadresse beginnt mit https:// (oder http://)."),
    "account.phone_number_id": ("Enter the phone number ID from the WhatsApp Manager.",
                                "Gib die ID der Telefonnummer aus dem WhatsApp Manager ein."),
    "account.url_scheme": ("The address starts with https:// (or http://).",
                           "Die Adresse beginnt mit https:// (oder http://)."),
    "account.mastodon_url": ("Enter your Mastodon server's address, e.g. https://mastodon.social.",
                             "Gib die Adresse deines Mastodon-Servers ein, z. B. https://mastodon.social."),
    "account.bluesky_handle": ("Enter your handle, e.g. you.bsky.social.",
                               "Gib dein Handle ein, z. B. du.bsky.social."),
    "account.secret_llm": ("Enter the API key.", "Gib den API-Schlüssel ein."),
    "account.secret_token": ("Enter the access token.", "Gib das Zugriffstoken ein."),
    "account.secret_mastodon": ("Enter the access token (Preferences, Development, New application).",
                                "Gib das Zugriffstoken ein (Einstellungen, Entwicklung, Neue Anwendung)."),
    "account.secret_bluesky": ("Enter an app password (Settings, Privacy and security, App passwords).",
                               "Gib ein App-Passwort ein (Einstellungen, Privatsphäre und Sicherheit, "
                               "App-Passwörter)."),
    "account.secret_password": ("Enter the password (an app password where your provider asks for one).",
                                "Gib das Passwort ein (ein App-Passwort, wo dein Anbieter eins verlangt)."),
    "account.store_locked": ("The password store is locked: unlock it with your master password first.",
                             "Der Passwortspeicher ist gesperrt: entsperr ihn zuerst mit deinem Master-Passwort."),
    "account.store_missing": ("This computer has no password store yet: create one with a master password first.",
                              "Dieser Computer hat noch keinen Passwortspeicher: leg zuerst einen mit einem "
                              "Master-Passwort an."),
    "account.wrong_master": ("Wrong master password.", "Falsches Master-Passwort."),
    # voices and models (app/engine/local/models.py)
    "models.already_installing": ("{model} is already being installed.", "{model} wird schon installiert."),
    "models.cancelled": ("The install of {model} was cancelled; install it again to resume.",
                         "Die Installation von {model} wurde abgebrochen; installier es noch einmal, um "
                         "weiterzumachen."),
    "models.progress_file": ("{model}: {file}", "{model}: {file}"),
    "models.progress_cancelled": ("{model}: cancelled", "{model}: abgebrochen"),
    "models.progress_failed": ("{model}: {detail}", "{model}: {detail}"),
    "models.progress_installed": ("{model} installed", "{model} installiert"),
    # loading the speech parts (app/engine/local/core.py)
    "engine.stt_loading": ("Loading speech recognition (whisper {model})",
                           "Lade die Spracherkennung (Whisper {model})"),
    "engine.stt_failed": ("Speech recognition failed: {detail}", "Die Spracherkennung ging nicht: {detail}"),
    "engine.stt_ready": ("Speech recognition ready", "Spracherkennung bereit"),
    "engine.stt_unavailable": ("Speech input is not available: {detail}",
                               "Spracheingabe ist nicht verfügbar: {detail}"),
    "engine.hands_free_unavailable": ("Hands-free is not available: {detail}",
                                      "Freihändig ist nicht verfügbar: {detail}"),
    "engine.voice_loading": ("Loading voice {voice}", "Lade die Stimme {voice}"),
    "engine.voice_failed": ("Voice failed: {detail}", "Die Stimme ging nicht: {detail}"),
    "engine.voice_ready": ("Voice ready", "Stimme bereit"),
    "engine.tts_unavailable": ("Speech output is not available: {detail}",
                               "Sprachausgabe ist nicht verfügbar: {detail}"),
    "engine.assistant_missing": ("The assistant is not installed ({name}).",
                                 "Der Assistent ist nicht installiert ({name})."),
    # the conversation and the voice (app/engine/local/conversation.py, voice.py)
    "engine.type_first": ("Type or say something first.", "Schreib oder sag zuerst etwas."),
    "engine.too_long": ("That is too long ({length} characters; at most {limit}).",
                        "Das ist zu lang ({length} Zeichen; höchstens {limit})."),
    "engine.listening": ("Yes? I'm listening.", "Ja? Ich höre zu."),
    "engine.answer_with_wake": ("To answer the question, say “{wake}” and then yes or no, or use the buttons.",
                                "Um die Frage zu beantworten, sag „{wake}“ und dann ja oder nein, oder nimm die "
                                "Knöpfe."),
    "engine.heard_nothing": ("I didn't hear anything. Hold the button while you speak.",
                             "Ich habe nichts gehört. Halt den Knopf gedrückt, während du sprichst."),
    "engine.nothing_to_say": ("Nothing to say.", "Nichts zu sagen."),
    "engine.could_not_speak": ("Could not speak: {detail}", "Konnte nicht sprechen: {detail}"),
    "engine.fallback_voice": ("No English voice is installed, so I speak with a simple stand-in voice. A natural "
                              "English voice is in Settings → Voices & models: “en_US-joe-medium”.",
                              "Für deutsche Antworten ist noch keine deutsche Stimme installiert, deshalb spreche "
                              "ich mit einer einfachen Ersatzstimme. Eine natürliche deutsche Stimme gibt es unter "
                              "Einstellungen → Stimmen & Modelle: „de_DE-thorsten-medium“ (63 MB)."),
    "engine.install_voice": ("Install an English voice", "Deutsche Stimme installieren"),
    "engine.mic_in_listener": ("The background listener has this computer's microphone: hold its push-to-talk key "
                               "to talk, or quit it from its tray icon to talk here.",
                               "Der Zuhörer im Hintergrund hat das Mikrofon dieses Computers: halte seine Sprechtaste "
                               "gedrückt, oder beende ihn über sein Symbol in der Taskleiste, um hier zu sprechen."),
    # meetings (app/engine/local/meetings.py)
    "meeting.not_installed": ("Meeting recording is not installed here ({detail}).",
                              "Die Besprechungsaufnahme ist hier nicht installiert ({detail})."),
    "meeting.unavailable": ("Meeting recording is not available: {detail}",
                            "Die Besprechungsaufnahme ist nicht verfügbar: {detail}"),
    "meeting.could_not_start": ("The meeting could not start: {detail}",
                                "Die Besprechung konnte nicht starten: {detail}"),
    "meeting.gone": ("That meeting is not there (any more).", "Diese Besprechung gibt es nicht (mehr)."),
    "meeting.search_empty": ("Type some words to search for.", "Gib ein paar Wörter zum Suchen ein."),
    "meeting.clip_range": ("The start must be 0 or more and the length between 0 and 600 seconds.",
                           "Der Anfang muss 0 oder mehr sein und die Länge zwischen 0 und 600 Sekunden."),
    "meeting.no_tab_audio": ("No sound has come from a shared tab: only your microphone is being recorded. To record "
                             "the call too, stop, start again and share the call's tab with its audio.",
                             "Aus einem geteilten Tab kommt kein Ton: nur dein Mikrofon wird aufgenommen. Um auch "
                             "den Anruf aufzunehmen, beende die Aufnahme, starte neu und teile den Tab des Anrufs "
                             "mit seinem Ton."),
    "meeting.notice": ("Meeting: {detail}", "Besprechung: {detail}"),
    "meeting.low_disk": ("low disk space: {free} MB", "wenig Platz auf der Festplatte: {free} MB"),
    # what each feature's status says (EngineInfo.features: Settings, the phone, doctor-like views)
    "feature.text": ("local commands work offline", "lokale Befehle gehen offline"),
    "feature.speech_off": ("speech output is off", "die Sprachausgabe ist aus"),
    "feature.wake": ("wake phrase: {wake}", "Aktivierungswort: {wake}"),
    "feature.no_llm": ("no language model configured: local commands only (offline)",
                       "kein Sprachmodell eingerichtet: nur lokale Befehle (offline)"),
    "feature.meetings_ok": ("records and transcribes offline", "nimmt offline auf und schreibt mit"),
    "feature.meetings_missing": ("meeting recording is not installed here ({name})",
                                 "die Besprechungsaufnahme ist hier nicht installiert ({name})"),
    "feature.no_faster_whisper": ("faster-whisper is not installed", "faster-whisper ist nicht installiert"),
    "feature.no_base_model": ("the offline whisper base model packages are not installed",
                              "die Pakete des Offline-Modells Whisper base sind nicht installiert"),
    "feature.stt_ok": ("whisper {model}, offline", "Whisper {model}, offline"),
    "feature.tts_ok": ("Piper voice {voice}, {german}, offline", "Piper-Stimme {voice}, {german}, offline"),
    "feature.german_voice": ("German: {voice}", "Deutsch: {voice}"),
    "feature.german_fallback": ("German: espeak-ng (fallback)", "Deutsch: espeak-ng (Ersatzstimme)"),
    "feature.german_none": ("German: no voice", "Deutsch: keine Stimme"),
    # the phone's engine talking to the home server (app/engine/remote.py), in the server's language
    "remote.timeout": ("The server at {url} did not answer in time.",
                       "Der Server unter {url} hat nicht rechtzeitig geantwortet."),
    "remote.unreachable": ("Cannot reach the server at {url} ({error}).",
                           "Der Server unter {url} ist nicht erreichbar ({error})."),
    "remote.signed_out": ("Signed out: sign in again.", "Abgemeldet: bitte neu anmelden."),
    "remote.server_failed": ("The server failed ({status}); try again later.",
                             "Der Server hatte einen Fehler ({status}); versuch es später noch einmal."),
    "remote.ask_empty": ("Type something to ask.", "Schreib etwas, um zu fragen."),
    "remote.too_long": ("That is too long: at most {limit} characters.", "Das ist zu lang: höchstens {limit} Zeichen."),
    "remote.cut_off": ("The reply was cut off; try again.", "Die Antwort brach ab; versuch es noch einmal."),
    "remote.format_changed": ("The microphone's format changed while listening; press again.",
                              "Das Format des Mikrofons hat sich beim Zuhören geändert; drück noch einmal."),
    "remote.not_pcm16": ("The audio chunk is not whole PCM16 frames.",
                         "Der Audioblock besteht nicht aus ganzen PCM16-Frames."),
    "remote.hands_free": ("Hands-free listening runs on the desktop app only; hold to talk instead.",
                          "Freihändiges Zuhören gibt es nur in der Desktop-App; halt stattdessen zum Sprechen "
                          "gedrückt."),
    "remote.speech_off": ("Speech output is off.", "Die Sprachausgabe ist aus."),
    "remote.live_meeting": ("Live meeting recording runs on the desktop app; upload a recording instead.",
                            "Besprechungen live aufnehmen geht nur in der Desktop-App; lad stattdessen eine "
                            "Aufnahme hoch."),
    "remote.not_wav": ("The recording is not a WAV file.", "Die Aufnahme ist keine WAV-Datei."),
    "remote.settings": ("Settings are managed on the home server.",
                        "Die Einstellungen werden auf dem Heimserver verwaltet."),
    "remote.keyring": ("The passwords are kept on the home server: its password store is opened there.",
                       "Die Passwörter liegen auf dem Heimserver: sein Passwortspeicher wird dort geöffnet."),
    "finance.sync_busy": ("A bank sync is already running; try again when it is done.",
                          "Ein Bankabgleich läuft schon; versuch es noch einmal, wenn er fertig ist."),
    "remote.finance_categories": ("Categories are changed in the desktop app.",
                                  "Kategorien werden in der Desktop-App geändert."),
    "remote.finance_sync": ("The home server syncs the bank on its own schedule.",
                            "Der Heimserver gleicht die Bank nach seinem eigenen Zeitplan ab."),
    "remote.finance_invoices": ("Invoices are imported on the machine the assistant runs on, not from the phone.",
                                "Rechnungen werden auf dem Rechner importiert, auf dem der Assistent läuft, nicht "
                                "vom Telefon aus."),
    "remote.no_timer": ("There is no timer or reminder {id}.", "Es gibt keinen Timer und keine Erinnerung {id}."),
    "remote.sign_in_failed": ("The sign-in did not complete: nothing was stored.",
                              "Die Anmeldung wurde nicht abgeschlossen: nichts wurde gespeichert."),
    "remote.sign_in_late": ("The sign-in was not completed in time: nothing was stored.",
                            "Die Anmeldung wurde nicht rechtzeitig abgeschlossen: nichts wurde gespeichert."),
}, same=frozenset({"say.failed", "models.progress_file", "models.progress_failed"}))


def phrase(key: str, lang: str, /, **values: object) -> str:
    """The phrase ``key`` in ``lang`` ("de" German, else English) with its placeholders filled."""
    return PHRASES.text(key, lang, **values)
