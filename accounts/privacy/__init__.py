"""Personal data (GDPR): a person's copy of their data, account closure and retention, the consent ledger."""
