"""Gaps and brokers: where the coalition is thin, and the plain sentences that say so."""
