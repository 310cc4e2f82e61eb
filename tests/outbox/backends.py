"""E-mail backends that fake the SMTP server's answers: the outside world's edge, nothing of ours.

Messages to refused@… are refused for good (550), to busy@… are deferred (451); all
others land in django.core.mail.outbox like the locmem backend.
"""

import smtplib

from django.core.mail.backends.locmem import EmailBackend as LocmemBackend


class FakeSmtpBackend(LocmemBackend):
    def send_messages(self, messages):
        for message in messages:
            for address in message.recipients():
                if address.startswith("refused@"):
                    raise smtplib.SMTPRecipientsRefused({address: (550, b"5.1.1 No such user")})
                if address.startswith("busy@"):
                    raise smtplib.SMTPResponseException(451, b"4.3.2 Try again later")
        return super().send_messages(messages)


class DownSmtpBackend(LocmemBackend):
    """The SMTP server does not answer at all."""

    def send_messages(self, messages):
        raise ConnectionRefusedError(111, "Connection refused")
