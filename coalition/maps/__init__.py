"""Use cases on one map, shared by the CLI and the dashboard: add, edit and remove
records, import and export, introduction tracking, backups, the audit trail, integrity
checks and the organization profile. Every use case that checks and then writes does
both in one unit of work (``Store.transaction``)."""
