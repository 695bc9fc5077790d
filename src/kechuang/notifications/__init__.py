"""Notifications: the e-mail outbox (queued, sent over SMTP with retry) and the escalation ladder of 督办 items
(approaching → overdue → escalated to the plan office and the leader)."""
