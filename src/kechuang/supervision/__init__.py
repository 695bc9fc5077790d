"""Supervision (督办) of measures and key projects: assignments, milestones, progress reports, evidence."""
