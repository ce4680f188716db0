"""Email pages of the staff portal (mailbox, suppression list, analytics)."""
