"""The nb/en texts of the mail pages: the admin outbox with the demo clock, and my settings."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "nb": {
        "nav_mail": "E-post",
        "mail_title": "Utgående e-post",
        "mail_intro": "Alt saksflyt sender eller skal sende, nyeste først. Uten SMTP-server "
        "(SAKSFLYT_SMTP_HOST) skrives e-postene som .eml-filer i mail_dir; her kan du lese dem.",
        "mail_forbidden": "Denne siden er for administratorer.",
        "mail_state": "Status",
        "mail_all": "Alle",
        "mail_state_pending": "Venter",
        "mail_state_sending": "Sendes",
        "mail_state_sent": "Sendt",
        "mail_state_failed": "Feilet",
        "mail_to": "Til",
        "mail_copy": "kopi",
        "mail_created": "Laget",
        "mail_sent": "Sendt",
        "mail_attempts": "Forsøk",
        "mail_error": "Feil",
        "mail_retry": "Send på nytt",
        "mail_retried": "E-posten sendes på nytt.",
        "mail_none": "Ingen e-post ennå.",
        "mail_count": "{shown} av {total}",
        "mail_more": "Vis flere",
        "clock_title": "Demoklokke",
        "clock_intro": "Flytt motorens klokke fremover for å vise frister og påminnelser. "
        "Bare i demomodus, aldri i produksjon; hver flytting logges.",
        "clock_now": "Motorens tid:",
        "clock_offset": "{days} dager foran veggklokka",
        "clock_advance": "Flytt klokka",
        "clock_p1d": "+1 dag",
        "clock_p7d": "+1 uke",
        "clock_p21d": "+3 uker",
        "clock_moved": "Klokka er flyttet. Forfalte tidsfrister utløses nå.",
        "nav_settings": "Innstillinger",
        "settings_title": "Mine innstillinger",
        "settings_intro": "Hvordan saksflyt sender e-post til deg.",
        "settings_reminders": "Send meg påminnelser på e-post",
        "settings_reminders_help": "Når en oppgave har frist i morgen eller har forfalt. "
        "Beskjeder om nye oppgaver og meldinger i sakene får du uansett.",
        "settings_locale": "Språk i e-post",
        "settings_save": "Lagre",
        "settings_saved": "Innstillingene er lagret.",
        "clock_disabled": "Demoklokka er av. Slå den på med SAKSFLYT_DEMO_CLOCK=true "
        "(aldri i produksjon).",
    },
    "en": {
        "nav_mail": "E-mail",
        "mail_title": "Outgoing e-mail",
        "mail_intro": "Everything saksflyt sends or will send, newest first. Without an SMTP "
        "server (SAKSFLYT_SMTP_HOST) the mails are written as .eml files to mail_dir; "
        "read them here.",
        "mail_forbidden": "This page is for administrators.",
        "mail_state": "State",
        "mail_all": "All",
        "mail_state_pending": "Waiting",
        "mail_state_sending": "Sending",
        "mail_state_sent": "Sent",
        "mail_state_failed": "Failed",
        "mail_to": "To",
        "mail_copy": "copy",
        "mail_created": "Created",
        "mail_sent": "Sent",
        "mail_attempts": "Attempts",
        "mail_error": "Error",
        "mail_retry": "Send again",
        "mail_retried": "The mail will be sent again.",
        "mail_none": "No e-mail yet.",
        "mail_count": "{shown} of {total}",
        "mail_more": "Show more",
        "clock_title": "Demo clock",
        "clock_intro": "Move the engine's clock forward to show deadlines and reminders. "
        "Demo mode only, never production; every move is logged.",
        "clock_now": "Engine time:",
        "clock_offset": "{days} days ahead of the wall clock",
        "clock_advance": "Move the clock",
        "clock_p1d": "+1 day",
        "clock_p7d": "+1 week",
        "clock_p21d": "+3 weeks",
        "clock_moved": "The clock has moved. Timers that are now due fire.",
        "nav_settings": "Settings",
        "settings_title": "My settings",
        "settings_intro": "How saksflyt e-mails you.",
        "settings_reminders": "Send me reminders by e-mail",
        "settings_reminders_help": "When a task is due tomorrow or overdue. You always get "
        "notices of new tasks and the cases' own messages.",
        "settings_locale": "Language of e-mails",
        "settings_save": "Save",
        "settings_saved": "Your settings are saved.",
        "clock_disabled": "The demo clock is off. Turn it on with SAKSFLYT_DEMO_CLOCK=true "
        "(never in production).",
    },
}


def catalogue(language: str) -> dict[str, str]:
    """Return the texts of one language."""
    return TEXTS[language]
