"""Indicators and their observations (plan text facts, published releases, submissions, demo data)."""
