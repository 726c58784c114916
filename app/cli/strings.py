"""Every line of the ``personal-agent`` command in English and German (agents/i18n.py's catalogue), said in
the CLI's language (``app.cli.common.line``: the language setting, else the environment's and the system
locale's). The lines the assistant says the same way everywhere (approvals, ``say``) are the phrasebook's
(agents/phrasebook.py); an error from below carries its own two lines (storage/bilingual.py). Table rows and
values (ids, paths, names, numbers) are content, not catalogue text."""

from __future__ import annotations

from agents.i18n import Catalogue

CLI = Catalogue({
    # ---- common: errors a user can cause (app/cli/common.py)
    "common.bad_argv": ("arguments must be valid UTF-8", "Argumente müssen gültiges UTF-8 sein"),
    "common.database": ("cannot use the database: {detail}", "die Datenbank kann nicht benutzt werden: {detail}"),
    "common.encrypted": ("cannot open the encrypted data: {detail}",
                         "die verschlüsselten Daten können nicht geöffnet werden: {detail}"),
    "common.db_kind": ("the database address names a kind of database this app does not know",
                       "die Datenbankadresse nennt eine Art von Datenbank, die diese App nicht kennt"),
    "common.db_address": ("the database address could not be read", "die Datenbankadresse konnte nicht gelesen werden"),
    "common.tls": ("cannot use the TLS certificate or key: {detail}",
                   "das TLS-Zertifikat oder der Schlüssel kann nicht benutzt werden: {detail}"),
    "common.utf8": ("text must be valid UTF-8 (an argument or file had bytes that are not)",
                    "Text muss gültiges UTF-8 sein (ein Argument oder eine Datei hatte Bytes, die es nicht sind)"),
    "common.file": ("{where}{detail}", "{where}{detail}"),
    "common.yes": ("yes", "ja"),
    "common.no": ("no", "nein"),
    # ---- main.py
    "main.setup_failed": ("{detail}", "{detail}"),
    # ---- models.py
    "models.failed": ("models: {detail}", "models: {detail}"),
    "models.bad_kind": ("models: --kind must be voice or whisper", "models: --kind muss voice oder whisper sein"),
    "models.col_id": ("id", "ID"),
    "models.col_kind": ("kind", "Art"),
    "models.col_lang": ("lang", "Sprache"),
    "models.col_mb": ("MB", "MB"),
    "models.col_rtf": ("RTF", "RTF"),
    "models.col_installed": ("installed", "installiert"),
    "models.col_checksum": ("checksum", "Prüfsumme"),
    "models.at_first_install": ("at first install", "bei der ersten Installation"),
    "models.estimated": (" est.", " gesch."),
    "models.installed_from": ("yes ({source})", "ja ({source})"),
    "models.installed_pypi": ("installed {id} from PyPI packages: {path}", "{id} aus PyPI-Paketen installiert: {path}"),
    "models.cancelled": ("models: install of {id} cancelled; run it again to resume",
                         "models: Installation von {id} abgebrochen; noch einmal starten, um fortzusetzen"),
    "models.installed": ("installed {id}: {path}", "{id} installiert: {path}"),
    "models.checksum_line": ("  {name} sha256 {sha}", "  {name} sha256 {sha}"),
    "models.removed": ("removed {id} ({path})", "{id} entfernt ({path})"),
    "models.check_ok": ("ok   {file} sha256 {sha} ({source})", "ok   {file} sha256 {sha} ({source})"),
    "models.check_bad": ("BAD  {file} sha256 {sha} ({source})", "DEFEKT {file} sha256 {sha} ({source})"),
    "models.damaged": ("models: {id} is damaged: install it again", "models: {id} ist beschädigt: installier es neu"),
    # ---- speech.py (transcribe)
    "transcribe.failed": ("transcribe: {detail}", "transcribe: {detail}"),
    "transcribe.channel": ("[channel {channel}] ", "[Kanal {channel}] "),
    "transcribe.no_speech": ("{prefix}(no speech)", "{prefix}(keine Sprache)"),
    # ---- agents.py (ask)
    "ask.nothing": ("nothing to ask: give the request as text, e.g. personal-agent ask \"what time is it\"",
                    "nichts zu fragen: gib die Anfrage als Text an, z. B. personal-agent ask \"wie spät ist es\""),
    "ask.too_many_images": ("a post takes at most 4 images", "ein Beitrag nimmt höchstens 4 Bilder"),
    "ask.too_many_alts": ("there are more alt texts than images", "es gibt mehr Alternativtexte als Bilder"),
    "ask.alt_prompt": ("Alt text for {name} (what it shows, for people who cannot see it)",
                       "Alternativtext für {name} (was es zeigt, für Menschen, die es nicht sehen können)"),
    # ---- listen.py
    "listen.cannot": ("cannot listen: {detail}", "Zuhören geht nicht: {detail}"),
    "listen.ready": ("ready: hold {key} to talk{where}", "bereit: {key} gedrückt halten zum Sprechen{where}"),
    "listen.wayland": (" (Wayland: only while an X11 window has the focus)",
                       " (Wayland: nur solange ein X11-Fenster den Fokus hat)"),
    # ---- accounts.py
    "accounts.bad_option": ("--option expects key=value, got {item}", "--option erwartet key=value, bekam {item}"),
    "accounts.value": ("value", "Wert"),
    "accounts.invalid": ("invalid account: {detail}", "ungültiges Konto: {detail}"),
    "accounts.pin": ("PIN", "PIN"),
    "accounts.password": ("Password or token", "Passwort oder Token"),
    "accounts.empty_secret": ("empty secret: nothing stored (use --no-secret for accounts without one)",
                              "leeres Geheimnis: nichts gespeichert (--no-secret für Konten ohne eins)"),
    "accounts.added": ("added {kind} account '{name}' (secret in keyring: {secret})",
                       "{kind}-Konto '{name}' hinzugefügt (Geheimnis im Schlüsselbund: {secret})"),
    "accounts.not_signed_in": ("not signed in: {detail}", "nicht angemeldet: {detail}"),
    "accounts.mastodon_open": ("Open this address in a browser, sign in to {server} and allow access:\n{url}",
                               "Öffne diese Adresse im Browser, melde dich bei {server} an und erlaube den "
                               "Zugriff:\n{url}"),
    "accounts.mastodon_code": ("Authorization code shown by the server", "Vom Server angezeigter Autorisierungscode"),
    "accounts.mastodon_added": ("signed in: added mastodon account '{name}' (access token in the keyring)",
                                "angemeldet: Mastodon-Konto '{name}' hinzugefügt (Zugriffstoken im Schlüsselbund)"),
    "accounts.device_code": ("To sign in, open {url} on any device and enter the code {code} (valid for {minutes} "
                             "minutes).",
                             "Zum Anmelden öffne {url} auf einem beliebigen Gerät und gib den Code {code} ein "
                             "(gültig für {minutes} Minuten)."),
    "accounts.browser": ("Signing in with {provider} in your browser …", "Anmeldung bei {provider} im Browser …"),
    "accounts.open_to_sign_in": ("Open this address in a browser to sign in: {url}",
                                 "Öffne diese Adresse im Browser, um dich anzumelden: {url}"),
    "accounts.needs_oauth": ("--provider and --device-code belong to a sign-in: add --oauth",
                             "--provider und --device-code gehören zu einer Anmeldung: --oauth ergänzen"),
    "accounts.needs_provider": ("--oauth needs --provider {providers}", "--oauth braucht --provider {providers}"),
    "accounts.needs_username": ("--username is needed: the account's address, e.g. you@example.com",
                                "--username fehlt: die Adresse des Kontos, z. B. du@example.com"),
    "accounts.exists": ("a {kind} account named '{name}' exists already",
                        "ein {kind}-Konto namens '{name}' gibt es schon"),
    "accounts.signed_in_added": ("added {kind} account '{name}': signed in with {provider}, access granted: {scopes} "
                                 "(the sign-in is kept in the keyring)",
                                 "{kind}-Konto '{name}' hinzugefügt: bei {provider} angemeldet, Zugriff erlaubt: "
                                 "{scopes} (die Anmeldung liegt im Schlüsselbund)"),
    "accounts.password_account": ("'{name}' signs in with a password, not with a provider",
                                  "'{name}' meldet sich mit einem Passwort an, nicht bei einem Anbieter"),
    "accounts.signed_in_again": ("signed in again: '{name}' works again",
                                 "wieder angemeldet: '{name}' funktioniert wieder"),
    "accounts.only_google": ("only Google issues a client secret to desktop apps: give google",
                             "nur Google gibt Desktop-Apps ein Client-Geheimnis: gib google an"),
    "accounts.client_secret": ("Client secret", "Client-Geheimnis"),
    "accounts.empty_client_secret": ("empty client secret: nothing stored",
                                     "leeres Client-Geheimnis: nichts gespeichert"),
    "accounts.client_secret_stored": ("Google client secret stored in the keyring",
                                      "Google-Client-Geheimnis im Schlüsselbund gespeichert"),
    "accounts.none": ("no accounts yet: personal-agent accounts add NAME --kind mail --host ... --username ...",
                      "noch keine Konten: personal-agent accounts add NAME --kind mail --host ... --username ..."),
    "accounts.row": ("{kind} {name} {user} {where} secret={secret}", "{kind} {name} {user} {where} Geheimnis={secret}"),
    "accounts.locked": ("locked", "gesperrt"),
    "accounts.removed": ("removed {kind} account '{name}'", "{kind}-Konto '{name}' entfernt"),
    "accounts.test_ok": ("ok: {detail}", "ok: {detail}"),
    "accounts.test_failed": ("fail: {detail}", "Fehler: {detail}"),
    "accounts.no_whatsapp": ("no whatsapp account '{name}': add it first (accounts add {name} --kind whatsapp ...)",
                             "kein WhatsApp-Konto '{name}': erst hinzufügen (accounts add {name} --kind whatsapp ...)"),
    "accounts.app_secret": ("App secret", "App-Geheimnis"),
    "accounts.verify_token": ("Verify token", "Prüf-Token"),
    "accounts.webhook_stored": ("webhook secrets of whatsapp account '{name}' stored in the keyring; webhook URL: "
                                "https://<your server>/api/v1/webhooks/whatsapp/{name}",
                                "Webhook-Geheimnisse des WhatsApp-Kontos '{name}' im Schlüsselbund gespeichert; "
                                "Webhook-URL: https://<dein Server>/api/v1/webhooks/whatsapp/{name}"),
    # ---- security.py
    "security.progress": ("{label}: {done}/{total}", "{label}: {done}/{total}"),
    "security.recordings": ("recordings", "Aufnahmen"),
    "security.encrypt_unfinished": ("encryption not finished (run the command again; nothing was lost)",
                                    "Verschlüsselung nicht fertig (den Befehl noch einmal ausführen; nichts ging "
                                    "verloren)"),
    "security.created_key": ("created the encryption key (in the keyring) and the key file encryption-keys.json",
                             "Schlüssel (im Schlüsselbund) und Schlüsseldatei encryption-keys.json angelegt"),
    "security.database": ("database: {state}", "Datenbank: {state}"),
    "security.sealed_now": ("recordings encrypted now: {count}", "jetzt verschlüsselte Aufnahmen: {count}"),
    "security.back_up_both": ("back up the data folder together with the keyring: without the key the data cannot be "
                              "read",
                              "sichere den Datenordner zusammen mit dem Schlüsselbund: ohne den Schlüssel sind die "
                              "Daten nicht lesbar"),
    "security.off_cannot_rotate": ("encryption at rest is off: turn it on with `personal-agent security encrypt`",
                                   "die Verschlüsselung der gespeicherten Daten ist aus: einschalten mit "
                                   "`personal-agent security encrypt`"),
    "security.rotate_unfinished": ("key rotation not finished (the old key still opens the data; run the command "
                                   "again)",
                                   "Schlüsselwechsel nicht fertig (der alte Schlüssel öffnet die Daten weiter; den "
                                   "Befehl noch einmal ausführen)"),
    "security.rotated": ("new key {new} in the keyring (replaces {old}); new recordings use data key {blob_key}",
                         "neuer Schlüssel {new} im Schlüsselbund (ersetzt {old}); neue Aufnahmen nutzen den "
                         "Datenschlüssel {blob_key}"),
    "security.resealed": ("recordings re-encrypted: {count}; database key now {key}",
                          "neu verschlüsselte Aufnahmen: {count}; Datenbankschlüssel jetzt {key}"),
    "security.status_off": ("encryption at rest: off (turn it on with `personal-agent security encrypt`)",
                            "Verschlüsselung der gespeicherten Daten: aus (einschalten mit "
                            "`personal-agent security encrypt`)"),
    "security.cannot_check": ("cannot check", "Prüfung nicht möglich"),
    "security.status_on": ("encryption at rest: on; key {kek} in the keyring, {count} data keys, new recordings use "
                           "{current}",
                           "Verschlüsselung der gespeicherten Daten: an; Schlüssel {kek} im Schlüsselbund, {count} "
                           "Datenschlüssel, neue Aufnahmen nutzen {current}"),
    "security.db_postgres": ("database: PostgreSQL, not encrypted by the app (use the server's disk encryption)",
                             "Datenbank: PostgreSQL, nicht von der App verschlüsselt (nutze die "
                             "Festplattenverschlüsselung des Servers)"),
    "security.db_plain": ("database: NOT encrypted: run `personal-agent security encrypt`",
                          "Datenbank: NICHT verschlüsselt: `personal-agent security encrypt` ausführen"),
    "security.db_sealed": ("database: encrypted (SQLCipher)", "Datenbank: verschlüsselt (SQLCipher)"),
    "security.scan": ("recordings: {count}, of them unencrypted: {plain}",
                      "Aufnahmen: {count}, davon unverschlüsselt: {plain}"),
    # ---- backup.py
    "backup.no_key_stdin": ("no backup key on stdin", "kein Sicherungsschlüssel auf der Standardeingabe"),
    "backup.failed": ("backup failed", "Sicherung fehlgeschlagen"),
    "backup.created": ("backup {id}: {count} files, {size} sealed", "Sicherung {id}: {count} Dateien, {size} versiegelt"),
    "backup.deleted": ("deleted {count} older backup(s): {ids}", "{count} ältere Sicherung(en) gelöscht: {ids}"),
    "backup.cannot_list": ("cannot list the backups", "die Sicherungen können nicht aufgelistet werden"),
    "backup.none": ("no backups yet: `personal-agent backup create` makes one",
                    "noch keine Sicherungen: `personal-agent backup create` legt eine an"),
    "backup.row": ("{id}  {when} UTC  {count} files  {size}  database: {database}",
                   "{id}  {when} UTC  {count} Dateien  {size}  Datenbank: {database}"),
    "backup.verify_failed": ("verify failed", "Prüfung fehlgeschlagen"),
    "backup.complete": ("backup {id} is complete: {count} files, all checksums match",
                        "Sicherung {id} ist vollständig: {count} Dateien, alle Prüfsummen stimmen"),
    "backup.confirm_restore": ("replace this installation's database, keyring and config with {id}?",
                               "Datenbank, Schlüsselbund und Konfiguration dieser Installation durch {id} ersetzen?"),
    "backup.nothing_restored": ("nothing restored", "nichts wiederhergestellt"),
    "backup.restore_failed": ("restore failed, nothing was replaced",
                              "Wiederherstellung fehlgeschlagen, nichts wurde ersetzt"),
    "backup.restored": ("restored backup {id} ({count} files)", "Sicherung {id} wiederhergestellt ({count} Dateien)"),
    "backup.no_key": ("no backup key", "kein Sicherungsschlüssel"),
    "backup.keep_key": ("keep this key and the keyring's password apart from this machine: both are needed to restore "
                        "a backup on a new one",
                        "bewahre diesen Schlüssel und das Passwort des Schlüsselbunds getrennt von diesem Rechner "
                        "auf: beide braucht man, um eine Sicherung auf einem neuen wiederherzustellen"),
    "common.what_failed": ("{what}: {detail}", "{what}: {detail}"),
}, same=frozenset({"security.progress", "common.what_failed", "accounts.pin", "accounts.test_ok", "common.file", "main.setup_failed", "models.failed", "models.col_mb", "models.col_rtf",
                   "models.checksum_line", "models.check_ok", "transcribe.failed"}))
