"""The inbox of the 12387 service: e-mail and fax messages to triage."""
