"""Mail transports: SMTP when `SAKSFLYT_SMTP_HOST` is set, else .eml files in `mail_dir`."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable
from email.message import Message
from pathlib import Path
from uuid import uuid4

from engine.settings import Settings

Send = Callable[[Message], None]


def transport(settings: Settings) -> Send:
    """Return the sender the settings ask for."""
    if settings.smtp_host:
        return smtp_sender(settings)
    return folder_sender(settings.mail_dir)


def smtp_sender(settings: Settings) -> Send:
    """Send each mail over its own SMTP connection (STARTTLS and sign-in if configured)."""

    def send(message: Message) -> None:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30) as smtp:
            if settings.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password)
            smtp.send_message(message)

    return send


def folder_sender(directory: Path) -> Send:
    """Write each mail to `directory` as an .eml file (the embedded default and demo)."""

    def send(message: Message) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        name = str(message["Message-ID"] or uuid4()).strip("<>").replace("@", "_")
        partial = directory / f".{name}.tmp"
        partial.write_bytes(message.as_bytes())
        partial.replace(directory / f"{name}.eml")  # readers never see half a file

    return send
