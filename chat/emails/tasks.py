from celery import shared_task


@shared_task(name="chat.emails.email_send_task")
def email_send_task(message_id: str) -> None:
    """Render, check suppression and send one queued email (see chat.emails.sending)."""
    # Until rendering and sending land, the queued record is what the system "would send".
    return None
