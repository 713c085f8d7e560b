"""The app engine: a small Flask app whose records, fields and pages come from `app/schema.json`."""
