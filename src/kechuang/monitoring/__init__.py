"""Indicator monitoring settings (owner, baseline, targets, rule), progress assessment and the dashboard."""
