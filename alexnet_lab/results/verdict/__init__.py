"""Judging a claim: the claims, their arms and metrics, intervals, rules and verdicts."""
