"""Raw snapshot to processed tables: manifest, validation, the export ledger, build."""
