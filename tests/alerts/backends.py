"""Email backends that fail on purpose, for delivery-error tests."""

import smtplib

from django.core.mail.backends.locmem import EmailBackend as LocmemBackend


class ScriptedBackend(LocmemBackend):
    """Locmem, except that recipients listed in ``FAILURES`` raise the SMTP error given there.

    A list of errors is consumed one per attempt, so "fail twice then succeed" is scriptable.
    """

    FAILURES: dict = {}
    opened = 0

    def open(self):
        ScriptedBackend.opened += 1
        return super().open()

    def send_messages(self, messages):
        for message in messages:
            for address in message.to:
                script = self.FAILURES.get(address)
                error = (script.pop(0) if script else None) if isinstance(script, list) else script
                if error is not None:
                    raise error
        return super().send_messages(messages)


def transient():
    return smtplib.SMTPResponseException(451, b"4.3.0 try again later")


def permanent():
    return smtplib.SMTPRecipientsRefused({"x": (550, b"5.1.1 no such user")})
