"""Where documents come from: the manifest (what to read) and fetching (checked downloads)."""
