"""Run records, arm grouping, verdicts, figures and reports."""
