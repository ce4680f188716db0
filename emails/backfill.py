"""Give emails stored before ``contactEmail`` existed (restored backups) their contact address, so a
customer's record, export and anonymisation find them (``contactEmail-createdAt-index``).

A one-off data migration run by ``prepare_dev`` after a restore (``manage.py emails_backfill``): it
reads the table with a Scan, as backup and restore do; no page or API reads this way. Each write is
conditional on the address still missing, so a run racing a new email changes nothing twice.
"""

from __future__ import annotations

from pynamodb.exceptions import UpdateError

from autolab.dynamodb import condition_failed
from emails.models import EmailMetadata
from emails.records import contact_address


def contact_emails_backfill() -> int:
    """The number of emails given their contact address."""
    done = 0
    for email in EmailMetadata.scan(EmailMetadata.contact_email.does_not_exist()):
        received = email.status == "received"
        contact = contact_address(received=received, from_email=email.from_email, to_emails=email.to_emails)
        if not contact:
            continue
        try:
            email.update(
                actions=[EmailMetadata.contact_email.set(contact)],
                condition=EmailMetadata.contact_email.does_not_exist(),
            )
        except UpdateError as error:
            if not condition_failed(error):
                raise
            continue
        done += 1
    return done
