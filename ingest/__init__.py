"""Getting data in: parse, validate, normalise, de-duplicate, upsert; quarantine bad rows."""
