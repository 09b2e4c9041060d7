"""The claims database: schema, repository, demo data and migrations."""
