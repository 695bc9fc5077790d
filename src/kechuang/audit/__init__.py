"""The append-only audit trail: who changed what, when, from which value to which, and why."""

from kechuang.audit import chain as chain  # every audit insert extends the hash chain (kechuang.audit.chain)
